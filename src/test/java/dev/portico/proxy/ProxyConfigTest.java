package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.config.ConfigException;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Configuration tier: proxy and upstream directives refused with nginx's words and FILE:LINE. */
class ProxyConfigTest {
    private static String http(String body) {
        return "events {}\nhttp {\n" + body + "\n}\n";
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "server { location / { proxy_pass ftp://127.0.0.1; } }                                  | invalid URL prefix | 3",
        "server { location ~ ^/a { proxy_pass http://127.0.0.1/x; } }                           | \"proxy_pass\" cannot have URI part in location given by regular expression, or inside named location, or inside \"if\" statement, or inside \"limit_except\" block | 3",
        "server { location @n { proxy_pass http://127.0.0.1/x; } }                              | \"proxy_pass\" cannot have URI part in location given by regular expression, or inside named location, or inside \"if\" statement, or inside \"limit_except\" block | 3",
        "server { location / { proxy_pass http://127.0.0.1; proxy_pass http://127.0.0.1; } }    | \"proxy_pass\" directive is duplicate | 3",
        "server { location / { proxy_redirect default; proxy_pass http://127.0.0.1; } }         | \"proxy_redirect default\" should be placed after the \"proxy_pass\" directive | 3",
        "server { location / { proxy_pass http://$host; proxy_redirect default; } }             | \"proxy_redirect default\" cannot be used with \"proxy_pass\" directive with variables | 3",
        "server { location / { proxy_redirect sideways; } }                                     | invalid parameter \"sideways\" | 3",
        "server { location / { proxy_pass http://example.invalid:99999/x; } }                    | invalid port in upstream \"example.invalid:99999/x\" | 3",
        "server { location / { proxy_pass http://no-such-host.invalid; } }                       | host not found in upstream \"no-such-host.invalid\" | 3",
        "server { location / { proxy_pass http://127.0.0.1; proxy_http_version 2.0; } }          | invalid value \"2.0\" | 3",
        "server { location / { proxy_pass http://127.0.0.1; proxy_buffers 1 4k; } }              | there must be at least 2 \"proxy_buffers\" | 3",
        "server { location / { proxy_pass http://127.0.0.1; proxy_busy_buffers_size 1m; } }      | \"proxy_busy_buffers_size\" must be less than the size of all \"proxy_buffers\" minus one buffer | 3",
        "server { location / { proxy_pass http://127.0.0.1; proxy_max_temp_file_size 1k; } }     | \"proxy_max_temp_file_size\" must be equal to zero to disable temporary files usage or must be equal to or greater than the maximum of the value of \"proxy_buffer_size\" and one of the \"proxy_buffers\" | 3",
        "server { location / { proxy_ignore_headers X-Foo; } }                                  | invalid value \"X-Foo\" | 3",
        "server { location / { proxy_connect_timeout soon; } }                                  | \"proxy_connect_timeout\" directive invalid value | 3",
        "proxy_pass http://127.0.0.1;                                                            | \"proxy_pass\" directive is not allowed here | 3",
        "upstream u { server 127.0.0.1 weight=0; }                                              | invalid parameter \"weight=0\" | 3",
        "upstream u { server 127.0.0.1 slow_start=soon; }                                       | invalid parameter \"slow_start=soon\" | 3",
        "upstream u { server 127.0.0.1:0; }                                                      | invalid port in upstream \"127.0.0.1:0\" | 3",
        "upstream u { server 127.0.0.1; }\\nupstream u { server 127.0.0.1; }                      | duplicate upstream \"u\" | 4",
        "upstream u { }                                                                          | no servers are inside upstream | 3",
        "upstream u { server 127.0.0.1; keepalive many; }                                        | invalid value \"many\" in \"keepalive\" directive | 3",
        "upstream u { server 127.0.0.1; keepalive 4 global; }                                    | invalid parameter \"global\" | 3",
        "upstream u { server 127.0.0.1; keepalive 4; keepalive 8; }                              | \"keepalive\" directive is duplicate | 3",
        "upstream u { server 127.0.0.1; keepalive_timeout 1s; keepalive_timeout 2s; }            | \"keepalive_timeout\" directive is duplicate | 3",
        "upstream u { server 127.0.0.1; listen 80; }                                             | \"listen\" directive is not allowed here | 3",
        "upstream u { server no-such-host.invalid; }                                             | host not found in upstream \"no-such-host.invalid\" | 3",
        "resolver 127.0.0.1 ipv4=off ipv6=off;                                                   | \"ipv4\" and \"ipv6\" cannot both be \"off\" | 3",
        "proxy_cache_path /tmp/c keys_zone=z:1m;                                                 | unknown directive \"proxy_cache_path\" | 3",
        "proxy_next_upstream error sometimes;                                                    | invalid value \"sometimes\" | 3",
        "proxy_cookie_flags one;                                                                 | invalid parameter \"one\" | 3",
        "proxy_cookie_flags one secure always;                                                   | invalid parameter \"always\" | 3",
        "proxy_cookie_flags one secure httponly samesite=lax nosecure;                           | invalid number of arguments in \"proxy_cookie_flags\" directive | 3",
        "proxy_cookie_flags off; proxy_cookie_flags one secure;                                  | \"proxy_cookie_flags\" directive is duplicate | 3",
        "proxy_cookie_flags one secure; proxy_cookie_flags off;                                  | \"proxy_cookie_flags\" directive is duplicate | 3",
        "proxy_cookie_flags ~( secure;                                                           | pcre2_compile() failed: missing closing parenthesis in \"(\" | 3",
    })
    void badConfigurationIsRefusedWithNginxWording(String body, String message, int line) {
        assertThatThrownBy(() -> TestPortico.load(http(body.replace("\\n", "\n"))))
            .isInstanceOf(ConfigException.class)
            .satisfies(e -> {
                ConfigException ce = (ConfigException) e;
                assertThat(ce.bareMessage()).isEqualTo(message);
                assertThat(ce.getMessage()).endsWith("nginx.conf:" + line);
            });
    }

    @Test
    void everyProxyDirectiveOfTheBenchmarkAndSeedConfigurationsIsAccepted() throws Exception {
        String conf = """
            events { worker_connections 8192; }
            http {
                client_body_temp_path tmp/client_body;
                proxy_temp_path tmp/proxy;
                proxy_http_version 1.1;
                proxy_set_header Connection "";
                proxy_connect_timeout 5s;
                proxy_send_timeout 60s;
                proxy_read_timeout 60s;
                proxy_buffering on;
                proxy_buffer_size 16k;
                proxy_buffers 8 16k;
                proxy_busy_buffers_size 32k;
                proxy_max_temp_file_size 0;
                upstream backend {
                    server 127.0.0.1:18080;
                    keepalive 64;
                    keepalive_requests 10000000;
                    keepalive_timeout 300s;
                }
                upstream dashboard { server 127.0.0.1:17082; server 127.0.0.1:17083; keepalive 16; }
                server {
                    listen 127.0.0.1:18001 backlog=4096;
                    location / { proxy_pass http://backend; }
                    location ~ ^/(global|form|hub)(/|$) {
                        proxy_pass http://dashboard;
                        proxy_set_header Host $host;
                        proxy_set_header X-Real-IP $remote_addr;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection "upgrade";
                        proxy_connect_timeout 600;
                        proxy_send_timeout 600;
                        proxy_read_timeout 3600s;
                        send_timeout 600;
                        proxy_redirect http://127.0.0.1:17082/ /;
                        proxy_redirect http://127.0.0.1:17083/ /;
                        proxy_hide_header X-Powered-By;
                    }
                }
            }
            """;
        assertThat(TestPortico.load(conf)).isNotNull();
    }
}
