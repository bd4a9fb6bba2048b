package dev.loomgate.gateway.consul;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/** Reading Consul's JSON leniently (SPEC G-10, G-11, H-1) and building the TLS context. */
final class ConsulJson {
    private ConsulJson() {
    }

    static JsonArray array(JsonValue v) throws ConsulException {
        if (v instanceof JsonArray a) {
            return a;
        }
        throw new ConsulException(200, "expected a JSON array from Consul, got " + v.getValueType());
    }

    static List<KvEntry> kvEntries(JsonValue v) throws ConsulException {
        List<KvEntry> out = new ArrayList<>();
        for (JsonValue e : array(v)) {
            JsonObject o = e.asJsonObject();
            String b64 = string(o, "Value");
            byte[] value = b64.isEmpty() ? new byte[0] : Base64.getDecoder().decode(b64);
            out.add(new KvEntry(string(o, "Key"), value, unsigned(o, "Flags"), unsigned(o, "CreateIndex"),
                    unsigned(o, "ModifyIndex")));
        }
        return List.copyOf(out);
    }

    static ServiceInstance instance(JsonObject entry) {
        JsonObject node = object(entry, "Node");
        JsonObject svc = object(entry, "Service");
        String address = string(svc, "Address");
        if (address.isEmpty()) {
            address = string(node, "Address");
        }
        List<String> tags = new ArrayList<>();
        if (svc.get("Tags") instanceof JsonArray a) {
            a.forEach(t -> {
                if (t instanceof JsonString s) {
                    tags.add(s.getString());
                }
            });
        }
        Map<String, String> meta = new LinkedHashMap<>();
        if (svc.get("Meta") instanceof JsonObject m) {
            m.forEach((k, val) -> {
                if (val instanceof JsonString s) {
                    meta.put(k, s.getString());
                }
            });
        }
        String status = "passing";
        if (entry.get("Checks") instanceof JsonArray checks) {
            for (JsonValue c : checks) {
                String s = c instanceof JsonObject co ? string(co, "Status") : "";
                status = worse(status, s);
            }
        }
        int port = svc.get("Port") instanceof JsonNumber n ? n.intValue() : 0;
        return new ServiceInstance(string(node, "Node"), string(svc, "ID"), string(svc, "Service"), address, port,
                tags, meta, status);
    }

    private static String worse(String a, String b) {
        if ("critical".equals(a) || "critical".equals(b)) {
            return "critical";
        }
        if ("passing".equals(a) && "passing".equals(b)) {
            return "passing";
        }
        if ("warning".equals(a) || "warning".equals(b)) {
            return "warning";
        }
        return "critical"; // an unknown status is not healthy
    }

    private static JsonObject object(JsonObject o, String field) {
        return o.get(field) instanceof JsonObject v ? v : JsonValue.EMPTY_JSON_OBJECT;
    }

    private static String string(JsonObject o, String field) {
        return o.get(field) instanceof JsonString s ? s.getString() : "";
    }

    private static long unsigned(JsonObject o, String field) {
        // JSON numbers above Long.MAX_VALUE (uint64 flags, G-10) wrap to their two's-complement value
        return o.get(field) instanceof JsonNumber n ? n.bigIntegerValue().longValue() : 0;
    }

    static SSLContext sslContext(ConsulSettings settings) {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            int i = 0;
            try (InputStream in = Files.newInputStream(settings.caFile().orElseThrow())) {
                for (Certificate c : cf.generateCertificates(in)) {
                    ks.setCertificateEntry("consul-ca-" + i++, c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load Consul CA file " + settings.caFile().orElseThrow() + ": " + e, e);
        }
    }
}
