using Portal.Core.Apis;

namespace Portal.Components.Apis;

/// <summary>
/// Ready-to-paste gateway configurations for one API, filled in with its id and the portal's
/// address. The full, commented versions are in <c>docs/gateways/</c>.
/// </summary>
public static class GatewayConfig
{
    /// <summary>nginx <c>auth_request</c> (header form): one location guarding the whole API through its endpoint rules.</summary>
    public static string Nginx(ProtectedApi api, Uri portal) => $$"""
        upstream portal_auth {
            server {{portal.Host}}:{{portal.Port}};
            keepalive 32;
        }

        server {
            listen 8080;

            location / {
                auth_request /_portal_auth;
                auth_request_set $portal_key_id $upstream_http_x_auth_key_id;
                auth_request_set $portal_scopes $upstream_http_x_auth_scopes;
                auth_request_set $portal_filters $upstream_http_x_auth_resource_filters;
                auth_request_set $portal_code   $upstream_http_x_auth_code;
                auth_request_set $portal_retry_after $upstream_http_retry_after;
                auth_request_set $portal_accept_signature $upstream_http_accept_signature;
                error_page 403 = @portal_forbidden;   # a limit's 403 becomes the client's 429 there
                proxy_set_header X-Key-Id        $portal_key_id;
                proxy_set_header X-Scopes        $portal_scopes;
                proxy_set_header X-Resource-Filters $portal_filters;
                proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                proxy_pass http://your_app;    # no URI: the app gets the target the Portal decided on
                add_header X-Auth-Code $portal_code always;
                add_header Accept-Signature $portal_accept_signature always;   # what a signature must cover (RFC 9421)
            }

            location = /_portal_auth {
                internal;
                # limits=403: rate limits answer 403 (auth_request passes only 401 and 403), made 429 below.
                proxy_pass {{portal.Scheme}}://portal_auth/api/v1/auth/check/{{api.PublicId}}?limits=403;
                proxy_pass_request_body off;
                proxy_set_header Content-Length     "";
                proxy_set_header X-Original-Method  $request_method;
                proxy_set_header X-Original-URI     $request_uri;
                proxy_set_header X-Forwarded-Method "";
                proxy_set_header X-Forwarded-Uri    "";
                proxy_set_header X-Forwarded-For    $proxy_add_x_forwarded_for;
                proxy_set_header X-Forwarded-Host   $http_host;   # the original authority, for signatures' @authority
                proxy_set_header X-Forwarded-Proto  $scheme;      # and its scheme (replaces the client's)
                proxy_http_version 1.1;
                proxy_set_header Connection "";{{TlsToPortal(portal)}}
            }

            location @portal_forbidden {
                add_header X-Auth-Code $portal_code always;
                add_header Retry-After $portal_retry_after always;
                if ($portal_code = RATE_LIMITED) { return 429; }
                if ($portal_code = QUOTA_EXCEEDED) { return 429; }
                return 403;
            }
        }
        """;

    /// <summary>Traefik ForwardAuth (header form), forwarding only the headers the door reads.</summary>
    public static string Traefik(ProtectedApi api, Uri portal) => $$"""
        http:
          middlewares:
            portal-auth:
              forwardAuth:
                address: "{{Origin(portal)}}/api/v1/auth/check/{{api.PublicId}}"
                # The key, what the door decides on, the method-override headers so the door can refuse them,
                # and a request signature's fields (RFC 9421; Traefik sets X-Forwarded-Host to the original authority).
                authRequestHeaders: ["Authorization", "X-Api-Key", "X-Forwarded-Method", "X-Forwarded-Uri", "X-Forwarded-For", "X-Forwarded-Host",
                                     "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override", "User-Agent",
                                     "Signature", "Signature-Input", "Content-Digest"]
                authResponseHeaders: ["X-Auth-Key-Id", "X-Auth-Owner-Id", "X-Auth-Organization-Id", "X-Auth-Scopes", "X-Auth-Resource-Filters"]
                # A refusal (401, 403, 429 with Retry-After and RateLimit) reaches the client as the Portal answered it.
        """;

    /// <summary>Envoy <c>ext_authz</c> HTTP filter (path form).</summary>
    public static string Envoy(ProtectedApi api, Uri portal) => $$"""
        - name: envoy.filters.http.ext_authz
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
            failure_mode_allow: false
            http_service:
              server_uri:
                uri: {{Origin(portal)}}
                cluster: portal
                timeout: 0.25s
              path_prefix: /api/v1/auth/ext-authz/{{api.PublicId}}
              authorization_request:
                allowed_headers:
                  patterns:
                    - { exact: authorization, ignore_case: true }
                    - { exact: x-api-key, ignore_case: true }
                    - { exact: x-forwarded-for, ignore_case: true }
                    - { exact: x-http-method-override, ignore_case: true }
                    - { exact: x-http-method, ignore_case: true }
                    - { exact: x-method-override, ignore_case: true }
                    - { exact: user-agent, ignore_case: true }
                    # A request signature's fields (RFC 9421); Envoy adds Host and Content-Length itself.
                    - { exact: signature, ignore_case: true }
                    - { exact: signature-input, ignore_case: true }
                    - { exact: content-digest, ignore_case: true }
              authorization_response:
                allowed_upstream_headers:
                  patterns: [{ prefix: x-auth-, ignore_case: true }]
        """;

    private static string Origin(Uri portal) => portal.GetLeftPart(UriPartial.Authority);

    // Over https nginx must name the portal's host in TLS (SNI) and in Host: a proxy in front of
    // the portal chooses its certificate and route by them, and "portal_auth" is only nginx's name.
    private static string TlsToPortal(Uri portal) => portal.Scheme != Uri.UriSchemeHttps ? "" : $"""

                proxy_ssl_server_name on;
                proxy_ssl_name {portal.IdnHost};
                proxy_set_header Host {portal.Authority};
        """;
}
