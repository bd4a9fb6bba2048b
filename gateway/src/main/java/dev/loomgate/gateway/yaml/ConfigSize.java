package dev.loomgate.gateway.yaml;

import dev.loomgate.gateway.yaml.ConfigException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The raw-size limit on configuration documents: every byte counts (comments too), and it is checked
 * before anything is parsed, by reading at most limit + 1 bytes. A 5 MB YAML string once took a node from
 * 205 MB to 2.2 GB RSS before the parser rejected it.
 */
public final class ConfigSize {
    /** Default for the routes file and KV values, and the fixed limit of the node config file. */
    public static final long DEFAULT_MAX = 1024 * 1024;
    /** Ceiling of limits.max-config-size (the YAML reader's code point backstop matches it). */
    public static final long MAX_CONFIGURABLE = YamlValue.MAX_CODE_POINTS;

    private ConfigSize() {
    }

    /**
     * Reads a whole file, refusing one larger than {@code max} bytes.
     *
     * @throws ConfigException {@code file: size N bytes exceeds limit M ...} or a read error
     */
    public static byte[] read(Path file, long max) throws ConfigException {
        byte[] data;
        try (InputStream in = Files.newInputStream(file)) {
            data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), 0, "", "cannot read: " + e, e);
        }
        if (data.length > max) {
            long size;
            try {
                size = Files.size(file);
            } catch (IOException e) {
                size = data.length;
            }
            throw tooLarge(file.toString(), size, max);
        }
        return data;
    }

    /** @throws ConfigException when {@code size > max} */
    public static void check(String source, long size, long max) throws ConfigException {
        if (size > max) {
            throw tooLarge(source, size, max);
        }
    }

    static ConfigException tooLarge(String source, long size, long max) {
        return new ConfigException(source, 0, "", "size " + size + " bytes exceeds limit " + max
                + " bytes (limits.max-config-size)");
    }
}
