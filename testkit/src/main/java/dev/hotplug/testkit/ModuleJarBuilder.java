package dev.hotplug.testkit;

import dev.hotplug.api.ModuleContext;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Builds a real module jar from Java source compiled in memory with the JDK's compiler, the way tests need
 * them: v1 and v2 of the same classes, broken variants, nested jars, native libraries. Not thread-safe;
 * one builder per jar.
 *
 * <pre>{@code
 * Path jar = ModuleJarBuilder.module("counter", "1.0.0")
 *     .source("com.acme.Counter", "package com.acme; ...")
 *     .header("Export-Package", "com.acme.api")
 *     .writeTo(dir);
 * }</pre>
 */
public final class ModuleJarBuilder {

    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, byte[]> resources = new TreeMap<>();
    private final List<Path> classPath = new ArrayList<>();
    private String fileName;
    private int release = 17;

    private ModuleJarBuilder() {
        headers.put(Attributes.Name.MANIFEST_VERSION.toString(), "1.0");
    }

    /** A builder for a module jar with {@code Hotplug-Module} and {@code Hotplug-Version} set. */
    public static ModuleJarBuilder module(String name, String version) {
        return plain().header("Hotplug-Module", name).header("Hotplug-Version", version)
                .fileName(name + "-" + version + ".jar");
    }

    /** A builder for a jar with no Hotplug headers: a nested library, an OSGi-style jar, a bad input. */
    public static ModuleJarBuilder plain() {
        ModuleJarBuilder builder = new ModuleJarBuilder();
        builder.fileName = "library.jar";
        return builder;
    }

    /** Sets a manifest header; a {@code null} value removes it. */
    public ModuleJarBuilder header(String name, String value) {
        if (value == null) {
            headers.remove(name);
        } else {
            headers.put(name, value);
        }
        return this;
    }

    /** Adds a compilation unit for the class {@code className} (fully qualified). */
    public ModuleJarBuilder source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** Adds a resource entry, for example {@code native/linux-x86_64/libfoo.so}. */
    public ModuleJarBuilder resource(String entryName, byte[] content) {
        resources.put(entryName, content.clone());
        return this;
    }

    /** Adds a text resource entry in UTF-8. */
    public ModuleJarBuilder resource(String entryName, String content) {
        return resource(entryName, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Adds a nested jar entry, for {@code Hotplug-ClassPath}. */
    public ModuleJarBuilder nestedJar(String entryName, ModuleJarBuilder nested) {
        return resource(entryName, nested.toBytes());
    }

    /** Puts a jar or folder on the compile class path (another module's exported API, say). */
    public ModuleJarBuilder compileClassPath(Path entry) {
        classPath.add(entry);
        return this;
    }

    /**
     * The Java release the sources compile for ({@code --release}); 17 by default, the framework's own. A later one
     * suits module code that uses newer JDK APIs, the foreign function API say; the running JDK must have it.
     */
    public ModuleJarBuilder release(int feature) {
        this.release = feature;
        return this;
    }

    /** The file name {@link #writeTo(Path)} uses; defaults to {@code name-version.jar}. */
    public ModuleJarBuilder fileName(String name) {
        this.fileName = name;
        return this;
    }

    /**
     * Compiles and writes the jar into {@code directory} atomically (written beside, then moved in), so a
     * watcher never sees it half-written. Returns the jar's path.
     */
    public Path writeTo(Path directory) {
        try {
            Files.createDirectories(directory);
            Path target = directory.resolve(fileName);
            Path temp = Files.createTempFile(directory, ".building-", ".tmp");
            Files.write(temp, toBytes());
            return Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write module jar " + fileName + ": " + e.getMessage(), e);
        }
    }

    /** Compiles the sources and returns the jar's bytes. */
    public byte[] toBytes() {
        Map<String, byte[]> classes = compile();
        Manifest manifest = new Manifest();
        headers.forEach((name, value) -> manifest.getMainAttributes().putValue(name, value));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            Map<String, byte[]> entries = new TreeMap<>(resources);
            classes.forEach((name, code) -> entries.put(name.replace('.', '/') + ".class", code));
            List<String> folders = new ArrayList<>();
            for (String entry : entries.keySet()) {
                for (int slash = entry.indexOf('/'); slash > 0; slash = entry.indexOf('/', slash + 1)) {
                    String folder = entry.substring(0, slash + 1);
                    if (!folders.contains(folder)) {
                        folders.add(folder);
                    }
                }
            }
            for (String folder : folders) {
                putEntry(jar, folder, new byte[0]);
            }
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                putEntry(jar, entry.getKey(), entry.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * A copy of the jar {@code template} with {@code headers} set in its manifest and {@code entries} added after its
     * own: the same compiled classes under another name or version, or with other native libraries, without compiling
     * them again.
     */
    public static byte[] restamp(byte[] template, Map<String, String> headers, Map<String, byte[]> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(template), false)) {
            Manifest manifest = new Manifest(in.getManifest());
            headers.forEach((name, value) -> manifest.getMainAttributes().putValue(name, value));
            try (JarOutputStream jar = new JarOutputStream(out, manifest)) {
                for (JarEntry entry; (entry = in.getNextJarEntry()) != null; ) {
                    putEntry(jar, entry.getName(), in.readAllBytes());
                }
                for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                    putEntry(jar, entry.getKey(), entry.getValue());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot restamp a module jar with " + headers + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private static void putEntry(JarOutputStream jar, String name, byte[] content) throws IOException {
        JarEntry entry = new JarEntry(name);
        entry.setTime(0L);
        jar.putNextEntry(entry);
        jar.write(content);
        jar.closeEntry();
    }

    private Map<String, byte[]> compile() {
        if (sources.isEmpty()) {
            return Map.of();
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("Cannot compile module sources: no system Java compiler (run on a JDK)");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((name, code) -> units.add(new SourceFile(name, code)));
        StringBuilder path = new StringBuilder(apiLocation().toString());
        for (Path entry : classPath) {
            path.append(java.io.File.pathSeparatorChar).append(entry);
        }
        Map<String, byte[]> output = new TreeMap<>();
        try (StandardJavaFileManager standard = compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8);
             JavaFileManager memory = new MemoryFileManager(standard, output)) {
            List<String> options = List.of("--release", Integer.toString(release), "-classpath", path.toString(),
                    "-proc:none", "-parameters");
            Boolean ok = compiler.getTask(null, memory, diagnostics, options, null, units).call();
            if (!Boolean.TRUE.equals(ok)) {
                StringBuilder message = new StringBuilder("Cannot compile module sources:");
                for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                    message.append('\n').append(d);
                }
                throw new IllegalStateException(message.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return output;
    }

    /** Where the module API's classes are: the jar or folder to compile modules against. */
    public static Path apiLocation() {
        try {
            return Path.of(ModuleContext.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class SourceFile extends SimpleJavaFileObject {
        private final String code;

        SourceFile(String className, String code) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }

    private static final class ClassFile extends SimpleJavaFileObject {
        private final String className;
        private final Map<String, byte[]> output;

        ClassFile(String className, Map<String, byte[]> output) {
            super(URI.create("mem:///" + className.replace('.', '/') + Kind.CLASS.extension), Kind.CLASS);
            this.className = className;
            this.output = output;
        }

        @Override
        public OutputStream openOutputStream() {
            return new ByteArrayOutputStream() {
                @Override
                public void close() {
                    output.put(className, toByteArray());
                }
            };
        }
    }

    private static final class MemoryFileManager extends ForwardingJavaFileManager<StandardJavaFileManager> {
        private final Map<String, byte[]> output;

        MemoryFileManager(StandardJavaFileManager delegate, Map<String, byte[]> output) {
            super(delegate);
            this.output = output;
        }

        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                   FileObject sibling) {
            return new ClassFile(className, output);
        }
    }
}
