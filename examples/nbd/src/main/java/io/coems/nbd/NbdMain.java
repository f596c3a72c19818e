package io.coems.nbd;

import io.coems.vvm.PoolArgumentException;
import io.coems.vvm.PoolOptions;
import io.coems.vvm.VolumePool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Serves a pool directory over NBD until the process is stopped:
 * {@code NbdMain [--preallocate] DIR [PORT] [NAME=SIZE ...]}. The pool is created if {@code DIR}
 * holds none; each {@code NAME=SIZE} creates volume NAME of SIZE bytes (suffix K, M, G or T)
 * unless it exists. It listens on loopback, on port 10809 unless PORT is given (0: any free port,
 * printed). With {@code --preallocate} (anywhere among the arguments) the device files the pool
 * creates from now on are preallocated ({@link PoolOptions#preallocate()}; a pool created so stays
 * thick whatever opens it later); that needs the JVM flag
 * {@code --enable-native-access=ALL-UNNAMED} on the class path.
 */
public final class NbdMain {
    private static final String PREALLOCATE = "--preallocate";

    private NbdMain() {
    }

    /**
     * Runs the gateway until SIGINT or SIGTERM, then closes the server and the pool.
     *
     * @param arguments {@code [--preallocate] DIR [PORT] [NAME=SIZE ...]}
     * @throws InterruptedException if the main thread is interrupted while it waits for the stop
     */
    public static void main(String[] arguments) throws InterruptedException {
        List<String> list = new ArrayList<>(List.of(arguments));
        boolean preallocate = list.removeIf(PREALLOCATE::equals);
        String[] args = list.toArray(String[]::new);
        if (args.length < 1 || args[0].startsWith("-")) {
            System.err.println("usage: NbdMain [" + PREALLOCATE + "] DIR [PORT] [NAME=SIZE ...]"
                    + "   (SIZE in bytes, or with K, M, G, T)");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int next = 1;
        int port = NbdServer.DEFAULT_PORT;
        if (args.length > 1 && !args[1].contains("=")) {
            port = Integer.parseInt(args[1]);
            next = 2;
        }
        VolumePool pool = openOrCreate(dir, PoolOptions.defaults().withPreallocate(preallocate));
        for (int i = next; i < args.length; i++) {
            String[] nameSize = args[i].split("=", 2);
            if (pool.findVolume(nameSize[0]).isEmpty()) {
                pool.createVolume(nameSize[0], bytes(nameSize[1]));
            }
        }
        NbdServer server = NbdServer.builder(pool).port(port).build().start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            pool.close();
            stopped.countDown();
        }, "nbd-shutdown"));
        System.out.println("serving " + dir + " on nbd://" + server.address().getAddress().getHostAddress() + ":" + server.port()
                + "/ (exports: " + String.join(", ", server.exports()) + ")");
        stopped.await();
    }

    /** The pool in {@code dir}, created if there is none; a refusal (such as a preallocation's) ends the JVM. */
    private static VolumePool openOrCreate(Path dir, PoolOptions options) {
        boolean exists = Files.isDirectory(dir) && Files.exists(dir.resolve("pool-0000.coems"));
        try {
            return exists ? VolumePool.open(dir, options) : VolumePool.create(dir, options);
        } catch (PoolArgumentException e) {
            System.err.println("NbdMain: " + e.getMessage()); // a refused preallocation names the flag it needs
            System.exit(1);
            throw e;
        }
    }

    private static long bytes(String size) {
        String s = size.trim().toUpperCase(Locale.ROOT);
        int shift = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        return Long.parseLong(shift == 0 ? s : s.substring(0, s.length() - 1)) << shift;
    }
}
