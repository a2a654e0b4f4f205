using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Portal.Tests.Hosting;

/// <summary>A wrong setting stops the app at start, with a message naming the setting.</summary>
public sealed class ConfigurationRefusalTests
{
    private static readonly string GoodPepper = Convert.ToBase64String(new byte[32]);

    public static TheoryData<string, Dictionary<string, string?>, string> BadSettings => new()
    {
        { "unknown provider", new() { ["Database:Provider"] = "Oracle" }, "Database:Provider" },
        { "numeric provider", new() { ["Database:Provider"] = "7" }, "Database:Provider" },
        { "PostgreSql without connection string", new() { ["Database:Provider"] = "PostgreSql", ["ConnectionStrings:Portal"] = "" }, "ConnectionStrings:Portal" },
        { "SqlServer without connection string", new() { ["Database:Provider"] = "SqlServer", ["ConnectionStrings:Portal"] = " " }, "ConnectionStrings:Portal" },
        { "upper-case live prefix", new() { ["Keys:LivePrefix"] = "PK_LIVE" }, "Keys:LivePrefix" },
        { "live prefix with a hyphen", new() { ["Keys:LivePrefix"] = "pk-live" }, "Keys:LivePrefix" },
        { "live prefix same as test prefix", new() { ["Keys:LivePrefix"] = "pk_test" }, "Keys:LivePrefix" },
        { "bad test prefix", new() { ["Keys:TestPrefix"] = "9test" }, "Keys:TestPrefix" },
        { "pepper not base64", new() { ["Keys:Peppers:0:Version"] = "1", ["Keys:Peppers:0:Secret"] = "not-base64!" }, "Keys:Peppers:0:Secret" },
        { "pepper too short", new() { ["Keys:Peppers:0:Version"] = "1", ["Keys:Peppers:0:Secret"] = Convert.ToBase64String(new byte[16]) }, "Keys:Peppers:0:Secret" },
        { "pepper version zero", new() { ["Keys:Peppers:0:Version"] = "0", ["Keys:Peppers:0:Secret"] = GoodPepper }, "Keys:Peppers:0:Version" },
        { "current pepper not configured", new() { ["Keys:Peppers:0:Version"] = "1", ["Keys:Peppers:0:Secret"] = GoodPepper, ["Keys:CurrentPepperVersion"] = "2" }, "Keys:CurrentPepperVersion" },
        { "grace over 30 days", new() { ["Keys:MaxRotationGrace"] = "31.00:00:00" }, "Keys:MaxRotationGrace" },
        { "no job workers", new() { ["Jobs:WorkerCount"] = "0" }, "Jobs:WorkerCount" },
        { "webhook attempts zero", new() { ["Webhooks:MaxAttempts"] = "0" }, "Webhooks:MaxAttempts" },
        { "webhook timeout too long", new() { ["Webhooks:Timeout"] = "00:05:00" }, "Webhooks:Timeout" },
        { "no keys per organization", new() { ["Quotas:KeysPerOrganization"] = "0" }, "Quotas:KeysPerOrganization" },
        { "negative organizations per user", new() { ["Quotas:OrganizationsPerUser"] = "-1" }, "Quotas:OrganizationsPerUser" },
        { "no permission sets", new() { ["Quotas:PermissionSetsPerOrganization"] = "0" }, "Quotas:PermissionSetsPerOrganization" },
        { "no invitations", new() { ["Quotas:PendingInvitationsPerOrganization"] = "0" }, "Quotas:PendingInvitationsPerOrganization" },
        { "log range over a year", new() { ["LogQueries:MaxRangeDays"] = "367" }, "LogQueries:MaxRangeDays" },
        { "no log page budget", new() { ["LogQueries:PageScanBudget"] = "0" }, "LogQueries:PageScanBudget" },
        { "cache byte budget under 1 MiB", new() { ["Validation:MaxCacheBytes"] = "1000" }, "Validation:MaxCacheBytes" },
        { "shared access byte budget under 1 MiB", new() { ["Validation:MaxSharedAccessBytes"] = "1000" }, "Validation:MaxSharedAccessBytes" },
        { "nonce store under 1000 entries", new() { ["Signatures:NonceCapacity"] = "10" }, "Signatures:NonceCapacity" },
        { "nonce share per key under 100", new() { ["Signatures:NonceCapacityPerKey"] = "99" }, "Signatures:NonceCapacityPerKey" },
        { "nonce share per key over the store", new() { ["Signatures:NonceCapacity"] = "5000", ["Signatures:NonceCapacityPerKey"] = "5001" }, "Signatures:NonceCapacityPerKey" },
        { "session revalidation zero", new() { ["Sessions:RevalidationSeconds"] = "0" }, "Sessions:RevalidationSeconds" },
        { "session revalidation over five minutes", new() { ["Sessions:RevalidationSeconds"] = "301" }, "Sessions:RevalidationSeconds" },
        { "session check cache over 30 s", new() { ["Sessions:CheckCacheSeconds"] = "31" }, "Sessions:CheckCacheSeconds" },
        { "webhook private networks not a boolean", new() { ["Webhooks:AllowPrivateNetworks"] = "sometimes" }, "Webhooks:AllowPrivateNetworks" },
        { "public URL without scheme", new() { ["PublicUrl"] = "keys.example.com" }, "PublicUrl" },
        { "public URL relative", new() { ["PublicUrl"] = "/portal" }, "PublicUrl" },
        { "public URL not http", new() { ["PublicUrl"] = "ftp://keys.example.com" }, "PublicUrl" },
        { "public URL with a path", new() { ["PublicUrl"] = "https://keys.example.com/portal" }, "PublicUrl" },
        { "public URL with a query", new() { ["PublicUrl"] = "https://keys.example.com/?tenant=1" }, "PublicUrl" },
        { "public URL with a fragment", new() { ["PublicUrl"] = "https://keys.example.com/#top" }, "PublicUrl" },
        { "public URL with credentials", new() { ["PublicUrl"] = "https://admin:hunter2@keys.example.com" }, "PublicUrl" },
        { "leak report key not PEM", LeakKey("k", "not a key"), "LeakReports:PublicKeys:0:PublicKeyPem" },
        { "leak report key private", LeakKey("k", ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem()), "LeakReports:PublicKeys:0:PublicKeyPem" },
        { "leak report key RSA", LeakKey("k", RSA.Create(2048).ExportSubjectPublicKeyInfoPem()), "LeakReports:PublicKeys:0:PublicKeyPem" },
        { "leak report key P-384", LeakKey("k", ECDsa.Create(ECCurve.NamedCurves.nistP384).ExportSubjectPublicKeyInfoPem()), "LeakReports:PublicKeys:0:PublicKeyPem" },
        { "leak report key without identifier", LeakKey(" ", ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfoPem()), "LeakReports:PublicKeys:0:KeyIdentifier" },
        {
            "leak report key identifier twice",
            new(LeakKey("k", ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfoPem()))
            {
                ["LeakReports:PublicKeys:1:KeyIdentifier"] = "k",
                ["LeakReports:PublicKeys:1:PublicKeyPem"] = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfoPem(),
            },
            "LeakReports:PublicKeys"
        },
        { "no portal leak reports", new() { ["LeakReports:PortalReportsPerHour"] = "0" }, "LeakReports:PortalReportsPerHour" },
    };

    private static Dictionary<string, string?> LeakKey(string identifier, string pem) =>
        new() { ["LeakReports:PublicKeys:0:KeyIdentifier"] = identifier, ["LeakReports:PublicKeys:0:PublicKeyPem"] = pem };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Start_BadSetting_RefusesNamingTheSetting(string scenario, Dictionary<string, string?> settings, string setting)
    {
        using var app = new ConfiguredApp(settings);

        var error = Record.Exception(() => app.Services);

        Assert.True(error is not null, $"{scenario}: the app started");
        var messages = string.Join(" | ", Chain(error).Select(e => e.Message));
        Assert.Contains(setting, messages, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_BadPepper_DoesNotEchoTheSecret()
    {
        const string secret = "c2hvcnQtYnV0LXNlY3JldA==";
        using var app = new ConfiguredApp(new() { ["Keys:Peppers:0:Version"] = "1", ["Keys:Peppers:0:Secret"] = secret });

        var error = Record.Exception(() => app.Services);

        Assert.NotNull(error);
        Assert.DoesNotContain(secret, string.Join(" | ", Chain(error).Select(e => e.ToString())), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_PublicUrlWithCredentials_DoesNotEchoThem()
    {
        using var app = new ConfiguredApp(new() { ["PublicUrl"] = "https://admin:hunter2@keys.example.com" });

        var error = Record.Exception(() => app.Services);

        Assert.NotNull(error);
        Assert.DoesNotContain("hunter2", string.Join(" | ", Chain(error).Select(e => e.ToString())), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://keys.example.com")]
    [InlineData("https://keys.example.com/")]
    [InlineData("http://10.1.2.3:8080")]
    public void Start_GoodPublicUrl_Starts(string url)
    {
        using var app = new ConfiguredApp(new() { ["PublicUrl"] = url });

        Assert.NotNull(app.Services);
    }

    [Fact]
    public void Start_LeakReportKey_Starts()
    {
        using var app = new ConfiguredApp(LeakKey("bcb53661", ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfoPem()));

        Assert.NotNull(app.Services);
    }

    [Fact]
    public void Start_GoodSettings_Starts()
    {
        using var app = new ConfiguredApp(new() { ["Keys:Peppers:0:Version"] = "1", ["Keys:Peppers:0:Secret"] = GoodPepper });

        Assert.NotNull(app.Services);
    }

    private static IEnumerable<Exception> Chain(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            yield return error;
            if (error is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }
}
