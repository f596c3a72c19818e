package io.coems.nvsp.server;

import io.coems.vvm.PoolException;
import io.coems.vvm.PoolOptions;
import io.coems.vvm.VolumePool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Serves a pool directory over NVSP until SIGTERM or SIGINT, or until its standard input ends:
 * {@code NvspMain --pool DIR [--bind ADDRESS] [--port PORT] [--workers N] [--credits N]
 * [--keep-alive SECONDS] [--max-datagram BYTES]}. The pool is created if {@code DIR} holds none.
 * Closing is graceful (requests in flight are answered, the pool flushed, every session told
 * ESHUTDOWN, the metrics logged) and the exit status is 0. Keep standard input open (or
 * redirect it from a pipe that stays open) to run it in the background.
 */
public final class NvspMain {
    private NvspMain() {
    }

    /**
     * Runs the server until it is told to stop.
     *
     * @param args the options above
     * @throws InterruptedException if the main thread is interrupted while it waits
     */
    public static void main(String[] args) throws InterruptedException {
        Path dir = null;
        NvspServer.Builder options;
        VolumePool pool = null;
        try {
            String[] values = parse(args);
            dir = Path.of(values[0]);
            boolean exists = Files.exists(dir.resolve("pool-0000.coems"));
            pool = exists ? VolumePool.open(dir, PoolOptions.defaults()) : VolumePool.create(dir, PoolOptions.defaults());
            options = NvspServer.builder(pool).closePoolOnClose(true);
            configure(options, values);
        } catch (IllegalArgumentException | UnknownHostException e) {
            if (pool != null) {
                pool.close();
            }
            System.err.println("NvspMain: " + e.getMessage());
            System.err.println("usage: NvspMain --pool DIR [--bind ADDRESS] [--port PORT] [--workers N] [--credits N]"
                    + " [--keep-alive SECONDS] [--max-datagram BYTES]");
            System.exit(2);
            return;
        } catch (PoolException e) {
            System.err.println("NvspMain: cannot open the pool in " + dir + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        NvspServer server;
        try {
            server = options.build().start();
        } catch (UncheckedIOException e) {
            pool.close();
            System.err.println("NvspMain: " + e.getMessage() + ": " + e.getCause().getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
            // SIGTERM and SIGINT would make the exit status 143 or 130: a graceful stop is a success.
            Runtime.getRuntime().halt(0);
        }, "nvsp-shutdown"));
        Thread.ofPlatform().name("nvsp-stdin").daemon().start(() -> {
            awaitEndOf(System.in);
            System.exit(0);
        });
        System.out.println("serving " + dir + " on nvsp://" + server.address().getAddress().getHostAddress() + ":"
                + server.address().getPort() + "/");
        stopped.await();
    }

    /** The option values by position: pool, bind, port, workers, credits, keep-alive, max-datagram. */
    private static String[] parse(String[] args) {
        String[] names = {"--pool", "--bind", "--port", "--workers", "--credits", "--keep-alive", "--max-datagram"};
        String[] values = new String[names.length];
        for (int i = 0; i < args.length; i += 2) {
            int index = java.util.Arrays.asList(names).indexOf(args[i]);
            if (index < 0 || i + 1 >= args.length) {
                throw new IllegalArgumentException(index < 0 ? "unknown option " + args[i] : args[i] + " needs a value");
            }
            values[index] = args[i + 1];
        }
        if (values[0] == null) {
            throw new IllegalArgumentException("--pool DIR is required");
        }
        return values;
    }

    private static void configure(NvspServer.Builder options, String[] values) throws UnknownHostException {
        if (values[1] != null) {
            options.bindAddress(InetAddress.getByName(values[1]));
        }
        if (values[2] != null) {
            options.port(number(values[2], "--port"));
        }
        if (values[3] != null) {
            options.workers(number(values[3], "--workers"));
        }
        if (values[4] != null) {
            options.credits(number(values[4], "--credits"));
        }
        if (values[5] != null) {
            options.keepAlive(Duration.ofSeconds(number(values[5], "--keep-alive")));
        }
        if (values[6] != null) {
            options.maxDatagram(number(values[6], "--max-datagram"));
        }
    }

    private static int number(String value, String option) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + value + " is not a number");
        }
    }

    private static void awaitEndOf(InputStream in) {
        byte[] ignored = new byte[256];
        try {
            while (in.read(ignored) >= 0) {
                // input is ignored; only its end matters
            }
        } catch (IOException e) {
            // an unreadable standard input counts as ended
        }
    }
}
