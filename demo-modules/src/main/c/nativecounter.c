/*
 * The native half of the native-counter demo module. Change STEP, run
 *   mvn -B -q -pl demo-modules package
 * and copy the jar demo-modules/target/modules/hotplug-demo-modules-VERSION-nativecounter.jar over
 * demo/modules/native-counter.jar: the running framework reloads the module, whose new generation loads its own
 * copy of this library while the old generation's copy is still mapped.
 */
#include <jni.h>
#include "dev_hotplug_demo_nativecounter_NativeCounterModule.h"

#define STEP 1

JNIEXPORT jlong JNICALL Java_dev_hotplug_demo_nativecounter_NativeCounterModule_advance(JNIEnv *env, jclass cls,
                                                                                     jlong value) {
    (void) env;
    (void) cls;
    return value + STEP;
}

JNIEXPORT jint JNICALL Java_dev_hotplug_demo_nativecounter_NativeCounterModule_step(JNIEnv *env, jclass cls) {
    (void) env;
    (void) cls;
    return STEP;
}
