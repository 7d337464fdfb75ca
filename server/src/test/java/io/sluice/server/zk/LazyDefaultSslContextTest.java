package io.sluice.server.zk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The deferred trust store must trust exactly what the JDK's default trust store trusts. */
class LazyDefaultSslContextTest {

    @Test
    void trustsTheJdkDefaultIssuersOnceUsed() throws Exception {
        LazyDefaultSslContext.LazyTrustManager lazy = new LazyDefaultSslContext.LazyTrustManager();
        assertFalse(lazy.loaded(), "nothing is read before a certificate is checked");
        assertEquals(subjects(jdkDefault().getAcceptedIssuers()), subjects(lazy.getAcceptedIssuers()));
        assertTrue(lazy.loaded());
    }

    @Test
    void rejectsAServerCertificateTheJdkDoesNotTrust(@TempDir Path dir) throws Exception {
        X509Certificate selfSigned = selfSigned(dir);
        LazyDefaultSslContext.LazyTrustManager lazy = new LazyDefaultSslContext.LazyTrustManager();
        assertThrows(CertificateException.class,
                () -> lazy.checkServerTrusted(new X509Certificate[] {selfSigned}, "RSA"));
        assertThrows(CertificateException.class,
                () -> jdkDefault().checkServerTrusted(new X509Certificate[] {selfSigned}, "RSA"));
    }

    @Test
    void installedContextIsTheDefaultAndMakesEngines() throws Exception {
        LazyDefaultSslContext.install();
        SSLContext first = SSLContext.getDefault();
        LazyDefaultSslContext.install();
        assertSame(first, SSLContext.getDefault(), "installed once per process");
        assertTrue(Arrays.asList(first.getSupportedSSLParameters().getProtocols()).contains("TLSv1.2"));
        SSLEngine engine = first.createSSLEngine("localhost", 9093);
        engine.setUseClientMode(true);
        assertTrue(engine.getEnabledProtocols().length > 0);
    }

    private static X509TrustManager jdkDefault() throws Exception {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new AssertionError("no default X509 trust manager");
    }

    private static Set<String> subjects(X509Certificate[] certificates) {
        return Arrays.stream(certificates).map(c -> c.getSubjectX500Principal().getName()).collect(Collectors.toSet());
    }

    /** A self-signed certificate made by the JDK's keytool, as an operator would make one. */
    private static X509Certificate selfSigned(Path dir) throws Exception {
        Path keystore = dir.resolve("test.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "broker", "-keyalg", "RSA",
                "-keysize", "2048", "-dname", "CN=localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0,
                () -> "keytool failed: " + new String(readAll(process)));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        Certificate certificate = store.getCertificate("broker");
        return (X509Certificate) certificate;
    }

    private static byte[] readAll(Process process) {
        try {
            return process.getInputStream().readAllBytes();
        } catch (java.io.IOException e) {
            return new byte[0];
        }
    }
}
