/**
 * The API that module code compiles against: lifecycle annotations ({@link dev.hotplug.api.Startup},
 * {@link dev.hotplug.api.Load}, {@link dev.hotplug.api.Unload}, {@link dev.hotplug.api.Shutdown}),
 * state carrying ({@link dev.hotplug.api.State}, {@link dev.hotplug.api.StateVersion},
 * {@link dev.hotplug.api.Migrate}) and the {@link dev.hotplug.api.ModuleContext} a module talks to
 * the framework through. It depends on nothing but the JDK and is visible to every module.
 */
package dev.hotplug.api;
