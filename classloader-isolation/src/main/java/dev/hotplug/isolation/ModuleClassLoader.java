package dev.hotplug.isolation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The classloader of one module generation. It sees the JDK, {@code dev.hotplug.api}, host-shared packages,
 * packages the module imports (from their exporter's current generation) and its own class path — nothing
 * else; a class outside that set is not found, with a message naming the module and the package.
 * Parallel-capable and thread-safe; {@link #close()} releases its jar files, after which nothing new loads.
 */
public final class ModuleClassLoader extends ClassLoader implements AutoCloseable {

    static {
        registerAsParallelCapable();
    }

    private static final String API_PACKAGE = "dev.hotplug.api";
    private static final AtomicLong IDS = new AtomicLong();

    private final LoaderSpec spec;
    private final ClassPathIndex index;
    private final ProtectionDomain domain;
    private final URLStreamHandler resourceHandler = new ResourceHandler();
    private final String urlPrefix;
    private volatile boolean closed;

    /**
     * Opens the generation's class path. Blocks while nested jars are extracted; runs no module code.
     *
     * @throws IsolationException naming the module and file when the jar cannot be read
     */
    public ModuleClassLoader(LoaderSpec spec) {
        super(spec.module() + "@" + spec.version() + "#" + spec.generation() + "/" + IDS.incrementAndGet(),
                ClassLoader.getPlatformClassLoader());
        this.spec = spec;
        this.index = ClassPathIndex.open(spec);
        this.urlPrefix = "hotplug:" + getName() + "!/";
        this.domain = new ProtectionDomain(new CodeSource(fileUrl(spec.jar()), (Certificate[]) null), null, this, null);
    }

    /** The module this generation belongs to. */
    public String moduleName() {
        return spec.module();
    }

    /** The module version of this generation. */
    public String version() {
        return spec.version();
    }

    /** The generation number. */
    public long generation() {
        return spec.generation();
    }

    /** The spec this loader was built from. */
    public LoaderSpec spec() {
        return spec;
    }

    /** Packages holding classes in the module's own class path. */
    public Set<String> ownPackages() {
        return index.packages();
    }

    /** Whether {@link #close()} ran. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        Class<?> type = locate(name);
        if (resolve) {
            resolveClass(type);
        }
        return type;
    }

    /**
     * Host-served packages (the API and shared ones) come first, so a module that bundles a copy of them still
     * gets the host's classes; then the module's own class path, then its imports, then the JDK's platform loader.
     * No name takes a lock here (see {@link #defineOwn}).
     */
    private Class<?> locate(String name) throws ClassNotFoundException {
        String pkg = packageOf(name);
        if (name.startsWith("java.")) {
            return getParent().loadClass(name);
        }
        ClassLoader host = hostServing(pkg);
        if (host != null) {
            return loadFrom(host, name, pkg, "shared by the host, which does not have it");
        }
        if (index.packages().contains(pkg)) {
            Class<?> own = findLoadedClass(name);
            return own != null ? own : defineOwn(name);
        }
        ClassLoader exporter = spec.imports().exporterOf(pkg);
        if (exporter != null) {
            return loadFrom(exporter, name, pkg, "imported from " + exporter);
        }
        try {
            return getParent().loadClass(name);
        } catch (ClassNotFoundException e) {
            throw notFound(name, pkg, "is not visible to it (not in its class path, not imported, not shared by the host)", e);
        }
    }

    /**
     * Defines one of the module's own classes, with no lock: of two threads that race to define it, the JVM refuses
     * the second ("duplicate class definition"), which then takes the first one's class. The JDK's way, a lock per
     * class name, keeps an entry and the name in the loader's lock map for as long as the loader lives, and a released
     * generation's loader lives until its classes unload. Fewer, shared locks would deadlock: a class's definition
     * loads its supertypes, so two threads could each hold the lock the other's supertype needs.
     */
    private Class<?> defineOwn(String name) throws ClassNotFoundException {
        try {
            return findClass(name);
        } catch (LinkageError e) {
            Class<?> raced = findLoadedClass(name);
            if (raced != null) {
                return raced;
            }
            throw e;
        }
    }

    private Class<?> loadFrom(ClassLoader source, String name, String pkg, String how) throws ClassNotFoundException {
        try {
            return source.loadClass(name);
        } catch (ClassNotFoundException e) {
            throw notFound(name, pkg, how, e);
        }
    }

    private ClassNotFoundException notFound(String name, String pkg, String why, Throwable cause) {
        return new ClassNotFoundException("Cannot load class " + name + " in module " + spec.module() + " "
                + spec.version() + ": package " + (pkg.isEmpty() ? "(default)" : pkg) + " " + why, cause);
    }

    /** The loader serving {@code pkg} when it is the API or host-shared; {@code null} otherwise. */
    private ClassLoader hostServing(String pkg) {
        if (pkg.equals(API_PACKAGE)) {
            return spec.apiLoader();
        }
        if (spec.isShared(pkg)) {
            return spec.hostLoader();
        }
        return null;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (closed) {
            throw new ClassNotFoundException("Cannot load class " + name + " in module " + spec.module() + " "
                    + spec.version() + ": generation " + spec.generation() + " is released");
        }
        String resource = name.replace('.', '/') + ".class";
        ClassPathIndex.Location location = index.find(resource);
        if (location == null) {
            throw new ClassNotFoundException("Cannot load class " + name + " in module " + spec.module() + " "
                    + spec.version() + ": no " + resource + " in its class path");
        }
        byte[] code;
        try {
            code = index.read(location);
        } catch (IOException e) {
            // A close() racing this load shows up as "zip file closed": name the real cause.
            throw new ClassNotFoundException("Cannot load class " + name + " in module " + spec.module() + " "
                    + spec.version() + ": " + (closed ? "generation " + spec.generation() + " is released"
                    : e.getMessage()), e);
        }
        String pkg = packageOf(name);
        if (!pkg.isEmpty() && getDefinedPackage(pkg) == null) {
            try {
                definePackage(pkg, null, null, null, spec.module(), spec.version(), null, null);
            } catch (IllegalArgumentException raced) {
                // Another thread defined it between our check and define: the package exists, which is all we need.
                if (getDefinedPackage(pkg) == null) {
                    throw raced;
                }
            }
        }
        return defineClass(name, code, 0, code.length, domain);
    }

    @Override
    public URL getResource(String name) {
        String pkg = packageOfResource(name);
        ClassLoader host = hostServing(pkg);
        if (host != null) {
            return host.getResource(name);
        }
        URL own = findResource(name);
        if (own != null) {
            return own;
        }
        ClassLoader exporter = spec.imports().exporterOf(pkg);
        return exporter != null ? exporter.getResource(name) : getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        String pkg = packageOfResource(name);
        ClassLoader host = hostServing(pkg);
        if (host != null) {
            return host.getResources(name);
        }
        List<URL> all = new ArrayList<>();
        URL own = findResource(name);
        if (own != null) {
            all.add(own);
        }
        ClassLoader exporter = spec.imports().exporterOf(pkg);
        all.addAll(Collections.list(exporter != null ? exporter.getResources(name) : getParent().getResources(name)));
        return Collections.enumeration(all);
    }

    @Override
    public InputStream getResourceAsStream(String name) {
        boolean own = !closed && hostServing(packageOfResource(name)) == null;
        ClassPathIndex.Location location = own ? index.find(name) : null;
        if (location != null) {
            try {
                return index.open(location);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read resource " + name + " of module " + spec.module() + " "
                        + spec.version() + ": " + e.getMessage(), e);
            }
        }
        return super.getResourceAsStream(name);
    }

    @Override
    protected URL findResource(String name) {
        if (closed || index.find(name) == null) {
            return null;
        }
        try {
            return new URL(null, urlPrefix + name, resourceHandler);
        } catch (MalformedURLException e) {
            throw new IllegalStateException("Cannot name resource " + name + " of module " + spec.module() + ": " + e, e);
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL own = findResource(name);
        return own == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(own));
    }

    @Override
    protected String findLibrary(String libname) {
        if (closed) {
            return null;
        }
        Path copy = spec.libraries().resolve(libname);
        return copy == null ? null : copy.toAbsolutePath().toString();
    }

    /**
     * Releases the jar files; classes already defined keep working, nothing new loads. Idempotent.
     *
     * @throws IsolationException when a jar file cannot be closed
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            index.close();
        } catch (IOException e) {
            throw new IsolationException("Cannot close classloader of module " + spec.module() + " " + spec.version()
                    + ": " + e.getMessage(), spec.module(), spec.version(), spec.jar(), e);
        }
    }

    @Override
    public String toString() {
        return "ModuleClassLoader[" + getName() + (closed ? ", released]" : "]");
    }

    private static String packageOf(String className) {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? "" : className.substring(0, dot);
    }

    private static String packageOfResource(String resource) {
        int slash = resource.lastIndexOf('/');
        return slash < 0 ? "" : resource.substring(0, slash).replace('/', '.');
    }

    private static URL fileUrl(Path path) {
        try {
            return path.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Serves {@code hotplug:} resource URLs from this loader's own jar files. */
    private final class ResourceHandler extends URLStreamHandler {
        @Override
        protected URLConnection openConnection(URL url) throws IOException {
            String spec = url.toString();
            String name = spec.startsWith(urlPrefix) ? spec.substring(urlPrefix.length()) : null;
            ClassPathIndex.Location location = name == null || closed ? null : index.find(name);
            if (location == null) {
                throw new IOException("Cannot open " + url + ": module " + ModuleClassLoader.this.spec.module()
                        + " generation " + generation() + (closed ? " is released" : " has no such resource"));
            }
            return new URLConnection(url) {
                @Override
                public void connect() {
                    connected = true;
                }

                @Override
                public InputStream getInputStream() throws IOException {
                    return index.open(location);
                }
            };
        }
    }
}
