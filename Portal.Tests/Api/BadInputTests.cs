using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Tests.Core.Usage;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api;

/// <summary>
/// Garbage in every parameter of every public endpoint (the management API, verify, the CSV and
/// JSON exports and the portal's pages): never a 5xx, and a 400 ProblemDetails naming the field
/// wherever one field is at fault. The table covers every route the app maps, so a new endpoint
/// fails <see cref="Table_CoversEveryRoute"/> until its garbage rows are added here.
/// </summary>
public abstract class BadInputTests(PortalApp app)
{
    /// <summary>
    /// Who sends a row: a key with every management scope, a key of a second organization (whose
    /// policies the rows may change without touching the first's), a signed-in person (cookie), a
    /// secret scanner signing the body with the configured leak-report key, or nobody.
    /// </summary>
    public const string Key = "key", PolicyKey = "policy key", Cookie = "cookie", Anonymous = "anonymous", Scanner = "scanner";

    // {org}, {key}, {set}, {api} ({apiPublic} in its api_ form) and {policyOrg} in a URL or body stand for the tenant's organization, one of its keys, a permission set, an API and the second organization.
    // A NUL in a URL's path is left out: Kestrel refuses it with 400 before routing, and the test server refuses to send it.
    private const string Keys = "/api/v1/keys", KeyById = "/api/v1/keys/{id:guid}";
    private const string Apis = "/api/v1/apis", ApiById = "/api/v1/apis/{apiId}";

    /// <summary>Routes no row can reach: the gateway doors (tested with their own rules) and the framework's own.</summary>
    private static readonly string[] NotCovered = ["/api/v1/auth/", "/_", "/hangfire", "/openapi/", "/api/docs", "/{**path:file}"];

    /// <summary>The app's own stylesheets and scripts, served as files without parameters.</summary>
    private static readonly HashSet<string> StaticFiles = new([".css", ".js", ".gz", ".br", ".map", ".ico", ".png", ".svg", ".woff2"], StringComparer.OrdinalIgnoreCase);

    private static readonly ConditionalWeakTable<PortalApp, Task<Tenant>> Tenants = [];

    private static readonly string TooLong = new('a', 10_000);

    /// <summary>Route pattern, method, URL, JSON body (null: none), sender, the field a 400 must name (null: any answer below 500).</summary>
    public static TheoryData<string, string, string, string?, string, string?> Rows
    {
        get
        {
            var rows = new TheoryData<string, string, string, string?, string, string?>();

            // GET /api/v1/keys: limit, cursor, search, status.
            foreach (var (query, named) in new (string, string?)[]
                     {
                         ("limit=2147483648", "limit"), ("limit=-2147483649", "limit"), ("limit=99999999999999999999", "limit"),
                         ("limit=1e3", "limit"), ("limit=0x10", "limit"), ("limit=%00", "limit"), ("limit=%FF", "limit"),
                         ($"cursor={Cursor(long.MaxValue)}", "cursor"), ($"cursor={Cursor(-1)}", "cursor"),
                         ($"cursor={Cursor(DateTimeOffset.MaxValue.UtcTicks + 1)}", "cursor"), ($"cursor={Cursor(long.MinValue)}", "cursor"),
                         ("cursor=AAAA", "cursor"), ("cursor=%00", "cursor"), ("cursor=%FF%FE", "cursor"), ("cursor=%C3%28", "cursor"),
                         ("cursor=****", "cursor"), ("cursor=A", "cursor"), ($"cursor={TooLong}", "cursor"),
                         ("status=deleted", "status"), ("status=%00", "status"), ("status=-1", "status"), ("status=%FF", "status"),
                         ($"search={TooLong}", "search"), ("search=%00", "search"), ("search=a%00b", "search"), ("search=%07", "search"),
                         ("search=%C3%28", null), ("search=%FF", null), ("search=%25", null), ("search=_", null),
                         ("limit=1&limit=2", "limit"),
                     })
            {
                rows.Add(Keys, "GET", $"{Keys}?{query}", null, Key, named);
            }

            // POST /api/v1/keys: wrong JSON types, out-of-range dates, unknown enum names, nulls inside lists, control characters.
            foreach (var (body, named) in new (string, string?)[]
                     {
                         ("""{"name":[]}""", "name"), ("""{"name":true}""", "name"), ("""{"name":"a\u0000b"}""", "name"), ("""{"name":"\u0000"}""", "name"),
                         ("""{"name":"\ud800"}""", "name"), ($$"""{"name":"{{TooLong}}"}""", "name"), ("""{"name":"ok","description":"a\u0000b"}""", "description"),
                         ("""{"name":"ok","environment":"Production"}""", "environment"), ("""{"name":"ok","environment":"\u0000"}""", "environment"),
                         ("""{"name":"ok","environment":null}""", "environment"),
                         ("""{"name":"far expiry","expiresAt":"9999-12-31T23:59:59.9999999Z"}""", null),
                         ("""{"name":"ok","expiresAt":"9999-12-31T23:59:59-01:00"}""", "expiresAt"), ("""{"name":"ok","expiresAt":"0001-01-01T00:00:00+01:00"}""", "expiresAt"),
                         ("""{"name":"ok","expiresAt":"0001-01-01T00:00:00Z"}""", "expiresAt"), ("""{"name":"ok","expiresAt":"2030-02-30T00:00:00Z"}""", "expiresAt"),
                         ("""{"name":"ok","expiresAt":true}""", "expiresAt"),
                         ("""{"name":"ok","scopes":[null]}""", "scopes"), ("""{"name":"ok","scopes":["a:b\u0000"]}""", "scopes"), ("""{"name":"ok","scopes":{}}""", "scopes"),
                         ("""{"name":"ok","grants":[null]}""", "grants"), ("""{"name":"ok","grants":[{}]}""", "grants"), ("""{"name":"ok","grants":[{"scope":null}]}""", "grants"),
                         ("""{"name":"ok","grants":[{"scope":"a:read","resources":[null]}]}""", "grants"), ("""{"name":"ok","grants":"a:read"}""", "grants"),
                         ("""{"name":"ok","permissionSets":["not-a-guid"]}""", "permissionSets[0]"), ("""{"name":"ok","permissionSets":[null]}""", "permissionSets[0]"),
                         ("""{"name":"with a set","permissionSets":["{set}"]}""", null),
                         ("""{"name":"widest schedule","schedule":{"notBefore":"0001-01-01T00:00:00Z","notAfter":"9999-12-31T23:59:59.9999999Z"}}""", null),
                         ("""{"name":"latest start","schedule":{"notBefore":"9999-12-31T23:59:59.9999999Z"}}""", null),
                         ("""{"name":"ok","schedule":{"notBefore":"tomorrow"}}""", "schedule.notBefore"),
                         ("""{"name":"ok","schedule":{"timeZone":"\u0000"}}""", "schedule.timeZone"), ("""{"name":"ok","schedule":{"timeZone":"../../../etc/passwd"}}""", "schedule.timeZone"),
                         ($$$"""{"name":"ok","schedule":{"timeZone":"{{{TooLong}}}"}}""", "schedule.timeZone"), ("""{"name":"ok","schedule":{"timeZone":"/"}}""", "schedule.timeZone"),
                         ("""{"name":"ok","schedule":{"timeZone":"Europe/Berlin","windows":[null]}}""", "schedule.windows[0]"),
                         ("""{"name":"ok","schedule":{"timeZone":"Europe/Berlin","windows":[{"days":[null],"start":"09:00","end":"17:00"}]}}""", "schedule.windows[0].days"),
                         ("""{"name":"ok","schedule":{"timeZone":"Europe/Berlin","windows":[{"days":["mon"],"start":"25:00","end":"99:99"}]}}""", "schedule.windows[0].start"),
                         ("""{"name":"ok","schedule":{"timeZone":"Europe/Berlin","windows":[{"days":["mon"],"start":null,"end":null}]}}""", "schedule.windows[0].start"),
                         ("""{"name":"ok","schedule":[]}""", "schedule"),
                         // Lists one past their documented maximum (see RequestLimitsTests for every list at and past it).
                         ("""{"name":"ok","schedule":{"timeZone":"UTC","windows":[{"days":["mon","tue","wed","thu","fri","sat","sun","mon"],"start":"09:00","end":"17:00"}]}}""", "schedule.windows[0].days"),
                         ($$"""{"name":"ok","scopes":[{{string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"s{i}:read\""))}}]}""", "scopes"),
                         ($$"""{"name":"ok","grants":[{"scope":"a:read","resources":[{{string.Join(",", Enumerable.Range(0, 21).Select(i => $"\"a/{i}\""))}}]}]}""", "grants[0].resources"),
                         ($$"""{"name":"ok","permissionSets":[{{string.Join(",", Enumerable.Range(0, 21).Select(i => $"\"00000000-0000-0000-0000-{i:D12}\""))}}]}""", "permissionSets"),
                         ($$"""{"name":"ok","apiIds":[{{string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"api_{i:D32}\""))}}]}""", "apiIds"),
                         ("{\"name\":\"ok\"\u0000}", "body"), ("\u0000", "body"), ("{\"name\":\"\u0001\"}", "name"),
                     })
            {
                rows.Add(Keys, "POST", Keys, body, Key, named);
            }

            // /api/v1/apis: ids that are no api_ id answer 404, bodies name their field.
            foreach (var id in new[] { "not-an-id", "api_", "api_%FF", "API_0123456789abcdef0123456789abcdef", "{apiPublic}%C3%28", TooLong })
            {
                rows.Add(ApiById, "GET", $"{Apis}/{id}", null, Key, null);
                rows.Add(ApiById, "PATCH", $"{Apis}/{id}", "{}", Key, null);
                rows.Add(ApiById, "DELETE", $"{Apis}/{id}", null, Key, null);
                rows.Add(ApiById + "/rules", "GET", $"{Apis}/{id}/rules", null, Key, null);
                rows.Add(ApiById + "/rules", "POST", $"{Apis}/{id}/rules", """{"method":"GET","pathTemplate":"/x","scope":"orders:read"}""", Key, null);
                rows.Add(ApiById + "/rules/{ruleId:guid}", "DELETE", $"{Apis}/{id}/rules/{Guid.Empty}", null, Key, null);
            }

            rows.Add(ApiById + "/rules/{ruleId:guid}", "DELETE", $"{Apis}/{{apiPublic}}/rules/not-a-guid", null, Key, null);
            rows.Add(Apis, "GET", $"{Apis}?%00=%C3%28", null, Key, null);
            foreach (var (body, named) in new (string, string?)[]
                     {
                         ("""{"name":""}""", "name"), ($$"""{"name":"{{new string('a', 101)}}"}""", "name"), ("""{"name":"a\u0000"}""", "name"),
                         ("""{"name":"x","environments":["moon"]}""", "environments"), ("""{"name":"x","environments":[]}""", "environments"),
                         ("""{"name":"x","environments":[null]}""", "environments"), ("""{"name":"x","environments":"live"}""", null),
                         ("""{"name":"x","environments":["live","test","live"]}""", "environments"),
                         ("""{"name":"x","allowUnmatchedRequests":"yes"}""", null), ("[]", null), ("null", null), ("{", null),
                     })
            {
                rows.Add(Apis, "POST", Apis, body, Key, named);
                rows.Add(ApiById, "PATCH", $"{Apis}/{{apiPublic}}", body, Key, named == "name" && body.Contains("\"\"", StringComparison.Ordinal) ? null : named);
            }

            foreach (var (body, named) in new (string, string?)[]
                     {
                         ("""{"method":"FETCH","pathTemplate":"/x","scope":"orders:read"}""", "method"),
                         ("""{"method":"GET","pathTemplate":"x","scope":"orders:read"}""", "pathTemplate"),
                         ("""{"method":"GET","pathTemplate":"/a/../b","scope":"orders:read"}""", "pathTemplate"),
                         ($$"""{"method":"GET","pathTemplate":"/{{new string('a', 300)}}","scope":"orders:read"}""", "pathTemplate"),
                         ("""{"method":"GET","pathTemplate":"/x","scope":"not a scope"}""", "scope"),
                         ("""{"method":null,"pathTemplate":null,"scope":null}""", "method"), ("[]", null), ("{", null),
                     })
            {
                rows.Add(ApiById + "/rules", "POST", $"{Apis}/{{apiPublic}}/rules", body, Key, named);
            }

            // /api/v1/keys/{id}: route values that are no GUID go nowhere (404), never 500.
            foreach (var id in new[] { "not-a-guid", "0", "%FF", "%C3%28", "00000000-0000-0000-0000-00000000000g", TooLong, "{key}%FF" })
            {
                rows.Add(KeyById, "GET", $"{Keys}/{id}", null, Key, null);
                rows.Add(KeyById, "PATCH", $"{Keys}/{id}", "{}", Key, null);
                rows.Add(KeyById + "/rotate", "POST", $"{Keys}/{id}/rotate", "{}", Key, null);
                rows.Add(KeyById + "/revoke", "POST", $"{Keys}/{id}/revoke", null, Key, null);
                rows.Add(KeyById + "/lift-suspension", "POST", $"{Keys}/{id}/lift-suspension", null, Key, null);
                rows.Add(KeyById + "/usage", "GET", $"{Keys}/{id}/usage", null, Key, null);
                rows.Add(KeyById + "/signing-credentials", "GET", $"{Keys}/{id}/signing-credentials", null, Key, null);
                rows.Add(KeyById + "/signing-credentials", "POST", $"{Keys}/{id}/signing-credentials", """{"algorithm":"hmac-sha256"}""", Key, null);
                rows.Add(KeyById + "/signing-credentials/{credentialId:guid}", "DELETE", $"{Keys}/{id}/signing-credentials/{Guid.Empty}", null, Key, null);
            }

            rows.Add(KeyById + "/signing-credentials/{credentialId:guid}", "DELETE", $"{Keys}/{{key}}/signing-credentials/not-a-guid", null, Key, null);
            rows.Add(KeyById + "/signing-credentials/{credentialId:guid}", "DELETE", $"{Keys}/{{key}}/signing-credentials/{Guid.Empty}", null, Key, null);
            foreach (var (body, named) in new (string, string?)[]
                     {
                         ("""{"algorithm":"rsa-pss-sha512"}""", "algorithm"), ("""{"algorithm":null}""", "algorithm"), ("""{"algorithm":"\u0000"}""", "algorithm"),
                         ("""{"algorithm":["hmac-sha256"]}""", "algorithm"), ("""{"algorithm":"ed25519"}""", "publicKey"),
                         ("""{"algorithm":"ed25519","publicKey":"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"}""", "publicKey"),
                         ($$"""{"algorithm":"ecdsa-p256-sha256","publicKey":"{{TooLong}}"}""", "publicKey"),
                         ("""{"algorithm":"ed25519","publicKey":"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%%%\"}"}""", "publicKey"),
                         ("""{"algorithm":"ecdsa-p256-sha256","publicKey":{}}""", "publicKey"),
                         ("""{"algorithm":"hmac-sha256","expiresAt":"0001-01-01T00:00:00Z"}""", "expiresAt"), ("[]", "body"), ("null", "body"),
                     })
            {
                rows.Add(KeyById + "/signing-credentials", "POST", $"{Keys}/{{key}}/signing-credentials", body, Key, named);
            }

            foreach (var (body, named) in new (string, string?)[]
                     {
                         ("""{"expiresAt":"9999-12-31T23:59:59-01:00"}""", "expiresAt"), ("""{"expiresAt":"0001-01-01T00:00:00Z"}""", "expiresAt"),
                         ("""{"removeExpiry":null}""", "removeExpiry"), ("""{"removeSchedule":1}""", "removeSchedule"),
                         ("""{"scopes":[null]}""", "scopes"), ("""{"grants":[null]}""", "grants"), ("""{"name":"a\u0000"}""", "name"),
                         ("""{"schedule":{"timeZone":"Europe/Berlin","windows":[null]}}""", "schedule.windows[0]"),
                         ("""{"permissionSets":[1]}""", "permissionSets[0]"), ("[]", "body"), ("null", "body"),
                         ("""{"schedule":{"timeZone":"UTC","windows":[{"days":["sun","sun"],"start":"09:00","end":"17:00"}]}}""", "schedule.windows[0].days"),
                     })
            {
                rows.Add(KeyById, "PATCH", $"{Keys}/{{key}}", body, Key, named);
            }

            foreach (var (body, named) in new (string, string?)[]
                     {
                         ("""{"gracePeriodSeconds":2147483648}""", "gracePeriodSeconds"), ("""{"gracePeriodSeconds":-2147483649}""", "gracePeriodSeconds"),
                         ("""{"gracePeriodSeconds":1e400}""", "gracePeriodSeconds"), ("""{"gracePeriodSeconds":1.5}""", "gracePeriodSeconds"),
                         ("""{"gracePeriodSeconds":-2147483648}""", "gracePeriod"), ("""{"gracePeriodSeconds":2147483647}""", "gracePeriod"),
                         ("""{"gracePeriodSeconds":[]}""", "gracePeriodSeconds"), ("[]", "body"), ("\"\u0000\"", "body"),
                     })
            {
                rows.Add(KeyById + "/rotate", "POST", $"{Keys}/{{key}}/rotate", body, Key, named);
            }

            rows.Add(KeyById + "/revoke", "POST", $"{Keys}/{Guid.Empty}/revoke?%00=%FF", "\u0000", Key, null);

            foreach (var (query, named) in new (string, string?)[]
                     {
                         ("minutes=0", "minutes"), ("minutes=-1", "minutes"), ("minutes=2147483647", "minutes"), ("minutes=-2147483648", "minutes"),
                         ("minutes=2147483648", "minutes"), ("minutes=99999999999999999999", "minutes"), ("minutes=1.5", "minutes"),
                         ("minutes=%00", "minutes"), ("minutes=%FF", "minutes"), ("minutes=44641", "minutes"),
                     })
            {
                rows.Add(KeyById + "/usage", "GET", $"{Keys}/{{key}}/usage?{query}", null, Key, named);
            }

            // POST /api/v1/keys/verify: a token and a few short strings.
            foreach (var (body, named) in new (string, string?)[]
                     {
                         ("""{"key":"\u0000"}""", null), ("""{"key":"pk_test_\u0000"}""", null), ($$"""{"key":"{{new string('k', 4000)}}"}""", null),
                         ("""{"key":"pk_test_x","scope":"\u0000"}""", "scope"), ("""{"key":"pk_test_x","resource":"a/\u0000"}""", "resource"),
                         ("""{"key":"pk_test_x","path":"/\u0000"}""", null), ("""{"key":"pk_test_x","path":"/%FF%C3%28"}""", null),
                         ("""{"key":"pk_test_x","method":"\u0000"}""", null), ("""{"key":"pk_test_x","clientIp":"999.999.1.1\u0000"}""", null),
                         ("""{"key":"pk_test_x","path":"relative"}""", "path"), ("""{"key":"pk_test_x","path":7}""", "path"),
                         ("""{"key":["pk_test_x"]}""", "key"), ("""{"key":"pk_test_x","scope":{}}""", "scope"), ("""{"key":"\ud800"}""", null),
                         ("""{"key":"pk_test_x","path":"/x","signature":"sig1"}""", "signature"), ("""{"key":"pk_test_x","path":"/x","signature":{"headers":{"a":1}}}""", null),
                         ("""{"key":"pk_test_x","scope":"a:b","path":"/x","signature":{"signatureInput":"\u0000","value":"\u0000","authority":"\u0000"}}""", "signature.authority"),
                     })
            {
                rows.Add("/api/v1/keys/verify", "POST", "/api/v1/keys/verify", body, Key, named);
            }

            // /api/v1/organizations/{id}/policies.
            foreach (var id in new[] { "not-a-guid", "%FF", TooLong })
            {
                rows.Add("/api/v1/organizations/{id:guid}/policies", "GET", $"/api/v1/organizations/{id}/policies", null, Key, null);
                rows.Add("/api/v1/organizations/{id:guid}/policies", "PUT", $"/api/v1/organizations/{id}/policies", "{}", Key, null);
            }

            foreach (var (body, named) in new (string, string?)[]
                     {
                         ("""{"maxKeyLifetimeDays":2147483648}""", "maxKeyLifetimeDays"), ("""{"maxKeyLifetimeDays":2147483647}""", "maxKeyLifetimeDays"),
                         ("""{"maxKeyLifetimeDays":-2147483648}""", "maxKeyLifetimeDays"), ("""{"maxKeyLifetimeDays":1.5}""", "maxKeyLifetimeDays"),
                         ("""{"maxKeyLifetimeDays":"30"}""", null), ("""{"rotationIntervalDays":2147483647}""", "rotationIntervalDays"),
                         ("""{"defaultGraceHours":2147483647,"maxGraceHours":2147483647}""", "maxGraceHours"), ("""{"maxGraceHours":-1}""", "maxGraceHours"),
                         ("""{"disableUnusedAfterDays":2147483647}""", "disableUnusedAfterDays"), ("""{"disableUnusedAfterDays":-2147483648}""", "disableUnusedAfterDays"),
                         ("""{"liveKeyCreators":"everyone"}""", "liveKeyCreators"), ("""{"liveKeyCreators":1}""", "liveKeyCreators"),
                         ("""{"liveKeyCreators":null}""", "liveKeyCreators"), ("""{"liveKeyCreators":"\u0000"}""", "liveKeyCreators"),
                         ("""{"threats":{"reportedLeaks":"delete"}}""", "threats.reportedLeaks"), ("""{"threats":{"reportedLeaks":1}}""", "threats.reportedLeaks"),
                         ("""{"threats":{"reportedLeaks":null}}""", "threats.reportedLeaks"), ("""{"threats":{"reportedLeaks":"\u0000"}}""", "threats.reportedLeaks"),
                         ("[]", "body"), ("null", "body"), ("", "body"),
                     })
            {
                rows.Add("/api/v1/organizations/{id:guid}/policies", "PUT", "/api/v1/organizations/{policyOrg}/policies", body, PolicyKey, named);
            }

            // POST /api/v1/keys/leaks: signed garbage names its field; unsigned garbage is refused before it is read.
            const string Leaks = "/api/v1/keys/leaks";
            foreach (var (body, named) in new (string, string?)[]
                     {
                         ("{}", "body"), ("null", "body"), ("", "body"), ("\u0000", "body"), ("[", "[0]"), ("[null]", "[0]"), ("[{}]", "[0].token"),
                         ("""[{"token":null}]""", "[0].token"), ("""[{"token":7}]""", "[0].token"), ("""[{"token":"a","type":[]}]""", "[0].type"),
                         ("""[{"token":"\u0000"}]""", null), ("""[{"token":"\ud800"}]""", null), ("""[{"token":"pk_test_\u0000","url":"\u0000","source":"\u0000"}]""", null),
                         ($$"""[{"token":"{{TooLong}}"}]""", "[0].token"), ($$"""[{"token":"a","url":"https://e.com/{{TooLong}}"}]""", "[0].url"),
                         ($$"""[{"token":"a","source":"{{TooLong}}"}]""", "[0].source"), ($$"""[{"token":"a","type":"{{TooLong}}"}]""", "[0].type"),
                         ("""[{"token":"a","token":"b"}]""", "[0]"), ($$"""[{{string.Join(",", Enumerable.Repeat("{\"token\":\"a\"}", 1001))}}]""", "body"),
                         ("""[{"token":"a","url":"javascript:alert(1)","source":"<b>"}]""", null),
                     })
            {
                rows.Add(Leaks, "POST", Leaks, body, Scanner, named);
                rows.Add(Leaks, "POST", Leaks, body, Anonymous, null);
            }

            rows.Add(Leaks, "POST", $"{Leaks}?%00=%FF", "[]", Scanner, null);

            rows.Add("/api/v1/ping", "GET", "/api/v1/ping?%00=%FF", null, Anonymous, null);
            rows.Add("/health/live", "GET", "/health/live?%00=%FF", null, Anonymous, null);
            rows.Add("/health/ready", "GET", "/health/ready?%00=%FF", null, Anonymous, null);

            // The CSV and JSON exports (cookie).
            foreach (var (query, named) in new (string, string?)[]
                     {
                         ("from=9999-12-31T23:59:59.9999999Z&to=9999-12-31T23:59:59.9999999Z", null), ("from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59.9999999Z", null),
                         ("from=9999-12-31T23:59:59-01:00", "from"), ("to=0001-01-01T00:00:00+01:00", "to"), ("from=2024-02-30", "from"), ("from=%00", "from"),
                         ("from=%FF", "from"), ("from=2024-01-01T00:00:00%2B14:00&to=2024-01-02T00:00:00-14:00", null), ("to=0001-01-01T00:00:00Z", null),
                         ("key=not-a-guid", "key"), ("key=%00", "key"), ($"key={TooLong}", "key"),
                         ("outcome=%00", null), ($"outcome={TooLong}", null), ("ip=%00", null), ("ip=%FF", null), ("path=%00", null), ($"path={TooLong}", null),
                         ("path=%C3%28", null),
                         // A range longer than a query may cover (31 days).
                         ("from=2024-01-01T00:00:00Z&to=2024-03-01T00:00:00Z", "from"), ("from=0001-01-01T00:00:00Z&to=2024-03-01T00:00:00Z", "from"),
                     })
            {
                rows.Add("/orgs/{organizationId:guid}/logs.csv", "GET", $"/orgs/{{org}}/logs.csv?{query}", null, Cookie, named);
            }

            rows.Add("/orgs/{organizationId:guid}/logs.csv", "GET", "/orgs/%FF/logs.csv", null, Cookie, null);

            foreach (var (query, named) in new (string, string?)[]
                     {
                         ("range=custom&from=9999-12-30T00:00:00Z&to=9999-12-31T23:59:59.9999999Z", "to"),
                         ("range=custom&from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z", null),
                         ("range=custom&from=9999-12-31T23:59:59-01:00&to=2024-01-01T00:00:00Z", "from"),
                         ("range=custom&from=2024-01-01T00:00:00Z&to=2024-01-01T00:00:00Z", "from"), ("range=custom&from=2000-01-01T00:00:00Z&to=2030-01-01T00:00:00Z", "to"),
                         ("range=custom", "from"), ("range=custom&from=2024-01-01T00:00:00Z", "to"), ("range=%00", "range"), ("range=365d", "range"), ($"range={TooLong}", "range"),
                         ("chart=%00", "chart"), ("chart=Timeline", "chart"), ($"chart={TooLong}", "chart"), ("from=%FF", "from"), ("to=not-a-date", "to"),
                     })
            {
                rows.Add("/orgs/{organizationId:guid}/usage.csv", "GET", $"/orgs/{{org}}/usage.csv?{query}", null, Cookie, named);
                rows.Add("/orgs/{organizationId:guid}/keys/{keyId:guid}/usage.csv", "GET", $"/orgs/{{org}}/keys/{{key}}/usage.csv?{query}", null, Cookie, named);
                rows.Add("/platform/usage.csv", "GET", $"/platform/usage.csv?{query}", null, Cookie, named);
            }

            rows.Add("/orgs/{organizationId:guid}/keys/{keyId:guid}/usage.csv", "GET", "/orgs/{org}/keys/%FF/usage.csv", null, Cookie, null);
            rows.Add("/orgs/{organizationId:guid}/access/sets/{id:guid}/export.json", "GET", "/orgs/{org}/access/sets/{set}/export.json?%00", null, Cookie, null);
            rows.Add("/orgs/{organizationId:guid}/access/sets/{id:guid}/export.json", "GET", "/orgs/{org}/access/sets/%C3%28/export.json", null, Cookie, null);
            rows.Add("/orgs/{organizationId:guid}/access/sets/{id:guid}/export.json", "GET", $"/orgs/{{org}}/access/sets/{TooLong}/export.json", null, Cookie, null);
            rows.Add("/account/logout", "POST", "/account/logout", null, Cookie, null);

            // The portal's pages, prerendered: route values and query strings a person can type into the address bar.
            const string garbage = "?key=%00&rememberMe=%FF&returnUrl=%00&%00=%C3%28";
            foreach (var page in new[]
                     {
                         "/", "/not-found", "/orgs", "/platform/usage", "/platform/settings", "/account/login", "/account/lockout", "/account/access-denied", "/account/register",
                         "/account/manage", "/account/manage/two-factor", "/account/login-recovery", "/account/login-2fa",
                         "/orgs/{OrganizationId:guid}/usage", "/orgs/{OrganizationId:guid}/access/resources", "/orgs/{OrganizationId:guid}/apis", "/orgs/{OrganizationId:guid}/apis/{ApiId:guid}",
                         "/orgs/{OrganizationId:guid}/access/sets", "/orgs/{OrganizationId:guid}/access/sets/new", "/orgs/{OrganizationId:guid}/access/sets/{SetId:guid}",
                         "/orgs/{OrganizationId:guid}/access/sets/{SetId:guid}/edit", "/orgs/{OrganizationId:guid}/logs", "/orgs/{OrganizationId:guid}/audit",
                         "/orgs/{OrganizationId:guid}/members", "/orgs/{OrganizationId:guid}/policies", "/orgs/{OrganizationId:guid}/keys",
                         "/orgs/{OrganizationId:guid}/keys/{KeyId:guid}", "/orgs/{OrganizationId:guid}/blocks", "/keys/report-leak",
                     })
            {
                var url = page.Replace("{OrganizationId:guid}", "{org}").Replace("{SetId:guid}", "{set}").Replace("{KeyId:guid}", "{key}").Replace("{ApiId:guid}", "{api}");
                rows.Add(page, "GET", url + garbage, null, Cookie, null);
                rows.Add(page, "GET", url + garbage, null, Anonymous, null);
                if (url.Contains("{org}", StringComparison.Ordinal))
                {
                    rows.Add(page, "GET", url.Replace("{org}", "%FF"), null, Cookie, null);
                }
            }

            foreach (var query in new[] { "rememberMe=maybe", "rememberMe=", "rememberMe=1", "rememberMe=true&rememberMe=false", $"returnUrl={TooLong}" })
            {
                rows.Add("/account/login-2fa", "GET", $"/account/login-2fa?{query}", null, Anonymous, null);
                rows.Add("/account/login", "GET", $"/account/login?{query}", null, Anonymous, null);
            }

            foreach (var page in new[] { "/setup/{Token}", "/invitations/{Token}" })
            {
                foreach (var token in new[] { "%FF", "%C3%28", TooLong, "..%2F..%2Fetc" })
                {
                    rows.Add(page, "GET", page.Replace("{Token}", token), null, Cookie, null);
                    rows.Add(page, "GET", page.Replace("{Token}", token), null, Anonymous, null);
                }
            }

            // The mail pages (confirmation link, resend form): forged, truncated and oversized link parts.
            foreach (var query in new[] { "", "?userId=%00&code=%FF", "?userId=not-a-guid&code=AAAA", $"?userId={Guid.Empty}&code={TooLong}", $"?userId={Guid.Empty}&code=%C3%28", "?userId=&code=", "?code=*&userId=" + TooLong })
            {
                rows.Add("/account/confirm-email", "GET", "/account/confirm-email" + query, null, Anonymous, null);
                rows.Add("/account/confirm-email", "GET", "/account/confirm-email" + query, null, Cookie, null);
                rows.Add("/account/resend-confirmation", "GET", "/account/resend-confirmation" + query, null, Anonymous, null);
            }

            return rows;
        }
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Endpoint_Garbage_NeverAnswers5xxAndNamesTheField(string pattern, string method, string url, string? body, string sender, string? field)
    {
        var tenant = await Tenants.GetValue(app, NewTenantAsync);
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(tenant.Fill(url), UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(tenant.Fill(body), Encoding.UTF8, "application/json");
        }

        if (sender == Scanner)
        {
            var signed = LeakScanner.Signed(tenant.Fill(body ?? ""));
            request.Content = signed.Content;
            foreach (var header in signed.Headers)
            {
                request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        var response = await tenant.Client(sender).SendAsync(request);

        var answer = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode < 500, $"{method} {pattern} ({url[..Math.Min(url.Length, 200)]}) answered {(int)response.StatusCode}: {answer[..Math.Min(answer.Length, 500)]}");
        if (field is not null)
        {
            var errors = (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors();
            // The field itself, or a part of it (grants[0].scope for grants).
            Assert.True(
                errors.Keys.Any(key => key == field || key.StartsWith(field + ".", StringComparison.Ordinal) || key.StartsWith(field + "[", StringComparison.Ordinal)),
                $"{method} {url[..Math.Min(url.Length, 200)]}: errors name {string.Join(", ", errors.Keys)}, not {field}");
        }
    }

    [Fact]
    public void Table_CoversEveryRoute()
    {
        var covered = Rows.Select(row => ((string)row[0]).TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .Where(route => !NotCovered.Any(prefix => route.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            .Where(route => !StaticFiles.Contains(Path.GetExtension(route)))
            .Select(route => route.TrimEnd('/'))
            .Distinct()
            .ToList();

        Assert.Contains(routes, route => route.StartsWith("/api/v1/keys", StringComparison.Ordinal));
        var missing = routes.Where(route => route.Length > 0 && !covered.Contains(route)).ToList();
        Assert.True(missing.Count == 0, $"No garbage rows for: {string.Join(", ", missing)}");
    }

    /// <summary>A forged 24-byte cursor: <paramref name="ticks"/> as its time part, a zero id.</summary>
    private static string Cursor(long ticks)
    {
        var bytes = new byte[24];
        BinaryPrimitives.WriteInt64BigEndian(bytes, ticks);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private async Task<Tenant> NewTenantAsync(PortalApp portal)
    {
        var user = await portal.NewUserAsync(null, Scope.PoliciesManage, Scope.KeysVerify, Scope.ApisManage);
        await portal.MakePlatformAdministratorAsync(user);
        var key = await user.Client.CreateKeyAsync("garbage target", "orders:read");
        await using var scope = portal.Scope();
        var set = await scope.ServiceProvider.GetRequiredService<PermissionSetCatalog>().CreateAsync(user.Caller(), user.OrganizationId, "garbage set", null, [new Grant("orders:read")]);
        var api = await scope.ServiceProvider.GetRequiredService<ApiCatalog>().CreateAsync(user.Caller(), user.OrganizationId, new ApiDraft("garbage api"));
        var policyOrganization = await portal.NewOrganizationAsync(user);
        return new Tenant(user, key.Key.Id, set.Id, api.Id, policyOrganization, await portal.ClientInAsync(user, policyOrganization), await portal.SignInAsync(user), portal.CreateClient());
    }

    private sealed record Tenant(TestUser User, Guid KeyId, Guid SetId, Guid ApiId, Guid PolicyOrganizationId, HttpClient PolicyClient, HttpClient SignedIn, HttpClient Nobody)
    {
        public string Fill(string text) => text
            .Replace("{org}", User.OrganizationId.ToString(), StringComparison.Ordinal)
            .Replace("{key}", KeyId.ToString(), StringComparison.Ordinal)
            .Replace("{set}", SetId.ToString(), StringComparison.Ordinal)
            .Replace("{apiPublic}", Portal.Core.Apis.ApiId.Format(ApiId), StringComparison.Ordinal)
            .Replace("{api}", ApiId.ToString(), StringComparison.Ordinal)
            .Replace("{policyOrg}", PolicyOrganizationId.ToString(), StringComparison.Ordinal);

        public HttpClient Client(string sender) => sender switch
        {
            Key => User.Client,
            PolicyKey => PolicyClient,
            Cookie => SignedIn,
            _ => Nobody,
        };
    }
}

public sealed class SqliteBadInputTests(SqliteApp app) : BadInputTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlBadInputTests(PostgreSqlApp app) : BadInputTests(app), IClassFixture<PostgreSqlApp>;
