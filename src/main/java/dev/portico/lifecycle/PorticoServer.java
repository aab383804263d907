package dev.portico.lifecycle;

import dev.portico.config.ConfigException;
import dev.portico.core.CoreModule;
import dev.portico.core.Module;
import dev.portico.core.Prefix;
import dev.portico.core.ServerState;
import dev.portico.core.Snapshot;
import dev.portico.core.Transport;
import dev.portico.core.Zone;
import dev.portico.http.HttpChannelInitializer;
import dev.portico.http.HttpConf;
import dev.portico.http.HttpConnectionHandler;
import dev.portico.http.ListenSpec;
import dev.portico.http.ListenerConf;
import dev.portico.http.ServerRuntime;
import dev.portico.observability.Errno;
import dev.portico.observability.ErrorLog;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The running server: event loops, bound listeners, the snapshot in force, and the transitions
 * nginx's master process drives (reload, graceful and fast stop, log reopening).
 */
public final class PorticoServer implements ServerRuntime {
    private final AtomicReference<Snapshot> current = new AtomicReference<>();
    /** What outlives each snapshot: peer state, checkers, resolvers, zones; this server's alone. */
    private final ServerState state;
    private final Prefix prefix;
    private final String globalDirectives;
    private final EventLoopGroup group;
    private final Map<String, Channel> listeners = new LinkedHashMap<>();
    /** With {@code reuseport}, the further sockets of a listener (one per event loop, as one per nginx worker). */
    private final Map<String, List<Channel>> reusePortSiblings = new LinkedHashMap<>();
    private final int loops;
    private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final long masterPid;
    private volatile boolean draining;
    private volatile boolean stopping;
    private Path pidFile;

    private PorticoServer(Snapshot first, String globalDirectives, long masterPid) {
        this.prefix = first.prefix();
        this.globalDirectives = globalDirectives;
        this.masterPid = masterPid;
        int threads = first.main(CoreModule.WORKER_PROCESSES);
        if (threads <= 0) {
            threads = Runtime.getRuntime().availableProcessors();
        }
        this.group = Transport.group(threads, "portico-loop");
        this.loops = threads;
        this.state = first.build().server();
        current.set(first);
    }

    /** Binds every listener of the snapshot, writes the pid file, and serves. */
    public static PorticoServer start(Snapshot first, String globalDirectives, long masterPid) throws StartupException {
        PorticoServer s = new PorticoServer(first, globalDirectives, masterPid);
        try {
            s.activate(first, null);
            for (ListenerConf l : HttpConf.of(first).listeners().values()) {
                s.listeners.put(l.key(), s.bind(l));
            }
            s.startAccepting(s.listeners);
            // the pid file announces a server that accepts: harnesses wait for it
            s.writePid(first);
        } catch (StartupException e) {
            s.shutdownNow();
            throw e;
        }
        ErrorLog.notice("using the \"" + Transport.name() + "\" event method");
        ErrorLog.notice("portico/" + dev.portico.Version.PORTICO + " (nginx/" + dev.portico.Version.NGINX + " compatible)");
        if (HttpConf.of(first).security() != null
            && HttpConf.of(first).listeners().values().stream().anyMatch(l -> l.socket().ssl() || l.byLocalAddress().values().stream().anyMatch(a -> a.listen().ssl()))) {
            ErrorLog.notice("TLS engine: " + dev.portico.tls.TlsEngine.describe());
        }
        ErrorLog.notice("start worker processes");
        return s;
    }

    @Override
    public Snapshot snapshot() {
        return current.get();
    }

    @Override
    public boolean draining() {
        return draining;
    }

    /** The local address a listener is bound to (tests use it to find ephemeral ports). */
    public SocketAddress boundAddress(String key) {
        synchronized (listeners) {
            Channel c = listeners.get(key);
            return c == null ? null : c.localAddress();
        }
    }

    public List<SocketAddress> boundAddresses() {
        synchronized (listeners) {
            List<SocketAddress> out = new ArrayList<>();
            for (Channel c : listeners.values()) {
                out.add(c.localAddress());
            }
            return out;
        }
    }

    public int openConnections() {
        return clients.size();
    }

    /** IPV6_V6ONLY (IPPROTO_IPV6 = 41, IPV6_V6ONLY = 26 on Linux): Netty has no named option for it. */
    private static final IntegerUnixChannelOption IPV6_V6ONLY = new IntegerUnixChannelOption("IPV6_V6ONLY", 41, 26);

    private Channel bind(ListenerConf l) throws StartupException {
        ListenSpec spec = l.socket();
        Channel first = bindOne(l);
        if (spec.reusePort() && Transport.epoll() && loops > 1) {
            // nginx's reuseport: one listening socket per worker, the kernel spreads connections
            List<Channel> more = new ArrayList<>();
            try {
                for (int i = 1; i < loops; i++) {
                    more.add(bindOne(l));
                }
            } catch (StartupException e) {
                first.close();
                more.forEach(Channel::close);
                throw e;
            }
            synchronized (listeners) {
                reusePortSiblings.put(l.key(), more);
            }
        }
        return first;
    }

    private Channel bindOne(ListenerConf l) throws StartupException {
        ListenSpec spec = l.socket();
        boolean unix = spec.unixPath() != null;
        ServerBootstrap b = new ServerBootstrap()
            .group(group)
            .option(ChannelOption.SO_BACKLOG, spec.backlog() <= 0 ? 511 : spec.backlog())
            // accept only once the snapshot that knows this listener is in force (see startAccepting)
            .option(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childHandler(new HttpChannelInitializer(this, l.key(), clients::add));
        if (spec.rcvbuf() > 0) {
            b.option(ChannelOption.SO_RCVBUF, spec.rcvbuf());
        }
        if (spec.sndbuf() > 0) {
            // nginx sets it on the listening socket, which accepted sockets inherit
            b.childOption(ChannelOption.SO_SNDBUF, spec.sndbuf());
        }
        if (unix) {
            b.channel(Transport.serverChannel(true));
        } else {
            // an IPv4 address gets an AF_INET socket: a dual-stack socket bound to 0.0.0.0 would clash with [::]:port
            SocketProtocolFamily family = spec.isIpv6() ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
            if (Transport.epoll()) {
                b.channelFactory(() -> new EpollServerSocketChannel(family));
            } else {
                b.channelFactory(() -> new NioServerSocketChannel(SelectorProvider.provider(), family));
            }
        }
        if (!unix) {
            b.option(ChannelOption.SO_REUSEADDR, true);
            b.childOption(ChannelOption.TCP_NODELAY, true);
            if (spec.reusePort() && Transport.epoll()) {
                b.option(EpollChannelOption.SO_REUSEPORT, true);
            }
            if (spec.isIpv6() && Transport.epoll()) {
                // nginx's ipv6only defaults to on: [::]:80 takes IPv6 connections only, so "listen 80" can bind beside it
                b.option(IPV6_V6ONLY, spec.ipv6only() == null || spec.ipv6only() ? 1 : 0);
            }
        } else {
            try {
                Files.deleteIfExists(Path.of(spec.unixPath()));
            } catch (IOException e) {
                throw new StartupException("unlink() \"" + spec.unixPath() + "\" failed (" + e.getMessage() + ")");
            }
        }
        SocketAddress addr;
        try {
            addr = spec.socketAddress();
        } catch (java.net.UnknownHostException e) {
            throw new StartupException("host not found in \"" + spec.text() + "\" of the \"listen\" directive");
        }
        ChannelFuture f = b.bind(addr).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new StartupException("bind() to " + describe(spec) + " failed (" + Errno.of(f.cause()) + ")");
        }
        return f.channel();
    }

    /**
     * A listener bound by a reload is not in the running snapshot until the swap, and a connection
     * accepted before it would find no configuration; until then the kernel queues connections.
     */
    private void startAccepting(Map<String, Channel> channels) {
        synchronized (listeners) {
            for (Map.Entry<String, Channel> e : channels.entrySet()) {
                e.getValue().config().setAutoRead(true);
                for (Channel sibling : reusePortSiblings.getOrDefault(e.getKey(), List.of())) {
                    sibling.config().setAutoRead(true);
                }
            }
        }
    }

    /**
     * nginx prints IPv6 addresses in RFC 5952 form ("::", "::1"); Java expands every group.
     * Listen addresses are already kept in that form ({@link ListenSpec#text}); this is for
     * other text.
     */
    static String compressV6(String full) {
        try {
            return ListenSpec.text(java.net.InetAddress.getByName(full));
        } catch (java.net.UnknownHostException e) {
            return full;
        }
    }

    private static String describe(ListenSpec spec) {
        return spec.addrText();
    }

    private void writePid(Snapshot s) throws StartupException {
        Path p = s.prefix().resolve(s.main(CoreModule.PID));
        try {
            Files.createDirectories(p.getParent());
            Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
            Files.writeString(tmp, masterPid + "\n");
            Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            pidFile = p;
        } catch (IOException e) {
            throw new StartupException("open() \"" + p + "\" failed (" + Errno.of(e) + ")");
        }
    }

    /**
     * Re-reads the configuration. A bad file, or a listener that cannot be bound, leaves the
     * running configuration untouched. Returns the error, or null when the new one is in force.
     */
    public synchronized String reload() {
        if (stopping) {
            return "stopping";
        }
        ErrorLog.notice("reconfiguring");
        Snapshot next;
        try {
            next = SnapshotBuilder.build(prefix, globalDirectives, current.get().modules(), state);
        } catch (ConfigException e) {
            ErrorLog.emerg(e.getMessage());
            return e.getMessage();
        }
        Snapshot previous = current.get();
        Map<String, Channel> added = new LinkedHashMap<>();
        try {
            for (ListenerConf l : HttpConf.of(next).listeners().values()) {
                if (!listeners.containsKey(l.key())) {
                    added.put(l.key(), bind(l));
                }
            }
        } catch (StartupException e) {
            for (Map.Entry<String, Channel> c : added.entrySet()) {
                c.getValue().close();
                closeSiblings(c.getKey());
            }
            ErrorLog.emerg(e.getMessage());
            return e.getMessage();
        }
        try {
            Logs.configure(next);
        } catch (StartupException e) {
            for (Map.Entry<String, Channel> c : added.entrySet()) {
                c.getValue().close();
                closeSiblings(c.getKey());
            }
            ErrorLog.emerg(e.getMessage());
            return e.getMessage();
        }
        List<Zone<?>> gone = activate(next, previous);
        current.set(next);
        startAccepting(added);
        synchronized (listeners) {
            listeners.putAll(added);
            listeners.entrySet().removeIf(e -> {
                if (!HttpConf.of(next).listeners().containsKey(e.getKey())) {
                    e.getValue().close();
                    List<Channel> more = reusePortSiblings.remove(e.getKey());
                    if (more != null) {
                        more.forEach(Channel::close);
                    }
                    return true;
                }
                return false;
            });
        }
        if (!previous.main(CoreModule.PID).equals(next.main(CoreModule.PID))) {
            try {
                Path old = pidFile;
                writePid(next);
                if (old != null && !old.equals(pidFile)) {
                    Files.deleteIfExists(old);
                }
            } catch (StartupException | IOException e) {
                ErrorLog.alert(e.getMessage());
            }
        }
        ErrorLog.notice("start worker processes");
        long oldWorker = ProcessHandle.current().pid();
        previous.usage().whenDrained(() -> {
            ServerState.dispose(gone);
            ErrorLog.notice("worker process " + oldWorker + " exited with code 0");
        });
        return null;
    }

    /**
     * Tells every module that {@code next} goes live and puts its zones in force; returns the
     * zones only {@code previous} declared, to dispose of once its requests are over.
     */
    private List<Zone<?>> activate(Snapshot next, Snapshot previous) {
        List<Zone<?>> gone = state.adopt(next.build().zones());
        for (Module m : next.modules()) {
            m.activate(next, previous, state);
        }
        return gone;
    }

    /** The state this server keeps across reloads (tests look at zones and peers through it). */
    public ServerState state() {
        return state;
    }

    /** SIGQUIT: stop accepting, let requests in flight finish (bounded by worker_shutdown_timeout), exit. */
    public void stopGracefully() {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        ErrorLog.notice("gracefully shutting down");
        draining = true;
        closeListeners();
        for (Channel c : clients) {
            c.pipeline().fireUserEventTriggered(HttpConnectionHandler.DRAIN);
        }
        long timeout = current.get().main(CoreModule.WORKER_SHUTDOWN_TIMEOUT);
        // requests in flight, upgraded connections (websockets) and connections that have not sent
        // a request yet run until they end or worker_shutdown_timeout closes them, as nginx's
        // shutdown timer does (it says nothing about them above the debug level)
        Thread waiter = new Thread(() -> {
            long deadline = timeout > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout) : Long.MAX_VALUE;
            while (!clients.isEmpty() && System.nanoTime() < deadline) {
                // a keep-alive connection that turned idle since the drain event is closed here
                for (Channel c : clients) {
                    c.pipeline().fireUserEventTriggered(HttpConnectionHandler.DRAIN);
                }
                awaitQuietly(clients.newCloseFuture(), 50);
            }
            ErrorLog.notice("exiting");
            finish();
        }, "portico-drain");
        waiter.setDaemon(false);
        waiter.start();
    }

    private static void awaitQuietly(io.netty.util.concurrent.Future<?> f, long millis) {
        f.awaitUninterruptibly(millis);
    }

    /** SIGTERM/SIGINT: close everything now. */
    public void stopFast() {
        synchronized (this) {
            if (stopping && stopped.getCount() == 0) {
                return;
            }
            stopping = true;
        }
        ErrorLog.notice("exiting");
        closeListeners();
        finish();
    }

    private synchronized void finish() {
        if (stopped.getCount() == 0) {
            return;
        }
        clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        shutdownNow();
        if (pidFile != null) {
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException e) {
                ErrorLog.alert("unlink() \"" + pidFile + "\" failed (" + e.getMessage() + ")");
            }
        }
        for (Module m : current.get().modules()) {
            m.stopped(state);
        }
        ErrorLog.notice("exit");
        stopped.countDown();
    }

    private void closeSiblings(String key) {
        synchronized (listeners) {
            List<Channel> more = reusePortSiblings.remove(key);
            if (more != null) {
                more.forEach(Channel::close);
            }
        }
    }

    private void closeListeners() {
        synchronized (listeners) {
            for (List<Channel> more : reusePortSiblings.values()) {
                for (Channel c : more) {
                    c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                }
            }
            reusePortSiblings.clear();
            for (Channel c : listeners.values()) {
                c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                if (c.localAddress() instanceof io.netty.channel.unix.DomainSocketAddress d) {
                    try {
                        Files.deleteIfExists(Path.of(d.path()));
                    } catch (IOException ignored) {
                        // the socket file goes with the process anyway
                    }
                }
            }
            listeners.clear();
        }
    }

    private void shutdownNow() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** SIGUSR1: reopen log files after rotation. */
    public void reopenLogs() {
        ErrorLog.notice("reopening logs");
        ErrorLog.get().reopen();
        for (Module m : current.get().modules()) {
            m.reopen(state);
        }
    }

    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    public boolean awaitStop(long millis) throws InterruptedException {
        return stopped.await(millis, TimeUnit.MILLISECONDS);
    }

    public boolean isStopped() {
        return stopped.getCount() == 0;
    }

    /** For tests and the status page: the first TCP port bound. */
    public int firstPort() {
        for (SocketAddress a : boundAddresses()) {
            if (a instanceof InetSocketAddress isa) {
                return isa.getPort();
            }
        }
        return -1;
    }
}
