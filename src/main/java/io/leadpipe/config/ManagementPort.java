package io.leadpipe.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The management server's port (health, metrics), checked free before anything is opened: taken (a second
 * leadpipe on the host), Camel would fail at start with a long BindException instead of one line.
 */
public final class ManagementPort {

    private ManagementPort() {
    }

    public static void checkFree(Settings settings) {
        if (!settings.getBoolean("camel.management.enabled")) return;
        String host = settings.getText("camel.management.host");
        int port = settings.getInt("camel.management.port", 0, 65535);
        if (port == 0) return; // any free port
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new ConfigException("the management port " + host + ":" + port + " (camel.management.port) is in use — is another leadpipe running"
                    + " on this host? Give this one another port (-Dcamel.management.port=" + (port + 1) + ") or set camel.management.enabled=false");
        }
    }
}
