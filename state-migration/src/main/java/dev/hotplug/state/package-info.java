/**
 * State carried across reloads: {@link dev.hotplug.state.StateCodec} turns a generation's state objects into
 * Jackson trees and back without pinning its classloader, {@link dev.hotplug.state.StateMigrator} runs a
 * lifecycle class's {@code @Migrate} chain, and {@link dev.hotplug.state.StateStore} keeps records durably.
 * Every failure is a {@link dev.hotplug.state.StateException}.
 */
package dev.hotplug.state;
