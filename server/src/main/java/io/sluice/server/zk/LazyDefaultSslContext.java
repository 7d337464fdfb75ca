package io.sluice.server.zk;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes {@link SSLContext#getDefault()} cheap for a broker that has not used TLS yet. Every ZooKeeper client
 * asks the default context for its supported protocols when it is created ({@code X509Util}), even for a
 * plain connection, and the JDK builds that context by parsing every certificate of its trust store: a
 * tenth of a second of CPU, and the JIT compilations it triggers, on the critical path of startup.
 *
 * <p>{@link #install()} sets a default context that is the JDK's in every respect except that its trust
 * manager is the JDK's default one created on first use (the first TLS handshake that checks a
 * certificate). It only does so when no key store is configured through {@code javax.net.ssl.keyStore}
 * (then the JDK's default context also carries key managers, and is left as it is) and when nothing has
 * asked for the default context before. TLS that a component configures itself (its own trust store)
 * never goes through the default context and is unaffected.
 *
 * <p>Thread-safe; {@link #install()} acts once per process.
 */
public final class LazyDefaultSslContext {

    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private LazyDefaultSslContext() {
    }

    public static void install() {
        if (System.getProperty("javax.net.ssl.keyStore") != null || !INSTALLED.compareAndSet(false, true)) {
            return;
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new LazyTrustManager()}, null);
            SSLContext.setDefault(context);
        } catch (GeneralSecurityException e) {
            // the JDK's own default context stays in place
        }
    }

    /** The JDK's default trust manager ({@code javax.net.ssl.trustStore} or cacerts), created on first use. */
    static final class LazyTrustManager extends X509ExtendedTrustManager {

        private volatile X509ExtendedTrustManager delegate;

        /** Whether the JDK's trust manager (and so its trust store) has been loaded yet. */
        boolean loaded() {
            return delegate != null;
        }

        private X509ExtendedTrustManager delegate() throws CertificateException {
            X509ExtendedTrustManager d = delegate;
            if (d == null) {
                synchronized (this) {
                    d = delegate;
                    if (d == null) {
                        d = createDefault();
                        delegate = d;
                    }
                }
            }
            return d;
        }

        private static X509ExtendedTrustManager createDefault() throws CertificateException {
            try {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init((KeyStore) null);
                for (TrustManager tm : factory.getTrustManagers()) {
                    if (tm instanceof X509ExtendedTrustManager x509) {
                        return x509;
                    }
                }
                throw new CertificateException("the JDK has no default X509 trust manager");
            } catch (GeneralSecurityException e) {
                throw new CertificateException("cannot load the default trust store", e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate().checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            try {
                return delegate().getAcceptedIssuers();
            } catch (CertificateException e) {
                return new X509Certificate[0];
            }
        }
    }
}
