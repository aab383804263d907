package dev.portico.cli;

import dev.portico.config.directive.DirectiveTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code configure arguments:} line of {@code -V}, derived from the directive table so it
 * stays true as features land: a module counts as built when its key directive is known.
 */
final class BuildInfo {
    private BuildInfo() {
    }

    /** Modules nginx builds by default, with a directive that proves each is implemented here. */
    private static final Map<String, String> DEFAULT_MODULES = new LinkedHashMap<>();
    /** Modules nginx builds only on request ({@code --with-...}). */
    private static final Map<String, String> OPTIONAL_MODULES = new LinkedHashMap<>();

    static {
        DEFAULT_MODULES.put("http_charset_module", "charset");
        DEFAULT_MODULES.put("http_gzip_module", "gzip");
        DEFAULT_MODULES.put("http_ssi_module", "ssi");
        DEFAULT_MODULES.put("http_userid_module", "userid");
        DEFAULT_MODULES.put("http_access_module", "allow");
        DEFAULT_MODULES.put("http_auth_basic_module", "auth_basic");
        DEFAULT_MODULES.put("http_mirror_module", "mirror");
        DEFAULT_MODULES.put("http_autoindex_module", "autoindex");
        DEFAULT_MODULES.put("http_geo_module", "geo");
        DEFAULT_MODULES.put("http_map_module", "map");
        DEFAULT_MODULES.put("http_split_clients_module", "split_clients");
        DEFAULT_MODULES.put("http_referer_module", "valid_referers");
        DEFAULT_MODULES.put("http_rewrite_module", "rewrite");
        DEFAULT_MODULES.put("http_proxy_module", "proxy_pass");
        DEFAULT_MODULES.put("http_fastcgi_module", "fastcgi_pass");
        DEFAULT_MODULES.put("http_uwsgi_module", "uwsgi_pass");
        DEFAULT_MODULES.put("http_scgi_module", "scgi_pass");
        DEFAULT_MODULES.put("http_grpc_module", "grpc_pass");
        DEFAULT_MODULES.put("http_memcached_module", "memcached_pass");
        DEFAULT_MODULES.put("http_limit_conn_module", "limit_conn");
        DEFAULT_MODULES.put("http_limit_req_module", "limit_req");
        DEFAULT_MODULES.put("http_empty_gif_module", "empty_gif");
        DEFAULT_MODULES.put("http_browser_module", "modern_browser");
        DEFAULT_MODULES.put("http_upstream_hash_module", "hash");
        DEFAULT_MODULES.put("http_upstream_ip_hash_module", "ip_hash");
        DEFAULT_MODULES.put("http_upstream_least_conn_module", "least_conn");
        DEFAULT_MODULES.put("http_upstream_random_module", "random");
        DEFAULT_MODULES.put("http_upstream_keepalive_module", "keepalive");
        DEFAULT_MODULES.put("http_upstream_zone_module", "zone");

        OPTIONAL_MODULES.put("http_ssl_module", "ssl_certificate");
        OPTIONAL_MODULES.put("http_v2_module", "http2");
        OPTIONAL_MODULES.put("http_realip_module", "set_real_ip_from");
        OPTIONAL_MODULES.put("http_addition_module", "add_before_body");
        OPTIONAL_MODULES.put("http_sub_module", "sub_filter");
        OPTIONAL_MODULES.put("http_dav_module", "dav_methods");
        OPTIONAL_MODULES.put("http_gunzip_module", "gunzip");
        OPTIONAL_MODULES.put("http_gzip_static_module", "gzip_static");
        OPTIONAL_MODULES.put("http_auth_request_module", "auth_request");
        OPTIONAL_MODULES.put("http_secure_link_module", "secure_link");
        OPTIONAL_MODULES.put("http_slice_module", "slice");
        OPTIONAL_MODULES.put("http_stub_status_module", "stub_status");
        OPTIONAL_MODULES.put("stream", "stream");
    }

    /** nginx prints "TLS SNI support enabled" when built with TLS; tools (certbot) look for it. */
    static boolean tls(DirectiveTable table) {
        return table.get("ssl_certificate") != null;
    }

    static String configureArguments(DirectiveTable table, Path prefix, Path conf, String errorLog) {
        List<String> args = new ArrayList<>();
        args.add("--prefix=" + prefix + "/");
        args.add("--conf-path=" + conf);
        args.add("--error-log-path=" + errorLog);
        args.add("--pid-path=" + prefix.resolve(dev.portico.core.CoreModule.PID.defaultValue()));
        for (Map.Entry<String, String> e : OPTIONAL_MODULES.entrySet()) {
            if (table.get(e.getValue()) != null) {
                args.add("--with-" + e.getKey());
            }
        }
        for (Map.Entry<String, String> e : DEFAULT_MODULES.entrySet()) {
            if (table.get(e.getValue()) == null) {
                args.add("--without-" + e.getKey());
            }
        }
        return String.join(" ", args);
    }
}
