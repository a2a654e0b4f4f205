using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Apis;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.Validation;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.CommandLine;

/// <summary><c>apis create</c> and <c>keys create --api</c>: the built program run as a process on a fresh data folder.</summary>
public sealed class PortalCommandLineApisTests : IAsyncLifetime
{
    private const string Password = "correct-horse-battery-staple";
    private const string Admin = "admin@example.com";

    private readonly CommandLineData _data = new();

    public async Task InitializeAsync()
    {
        var outcome = await RunAsync(["admin", "create", "--email", Admin], adminPassword: Password);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
    }

    public async Task DisposeAsync() => await _data.DisposeAsync();

    [Fact]
    public async Task ApisCreate_PrintsOnlyTheIdOfTheNewApi()
    {
        var outcome = await RunAsync(["apis", "create", "--owner", Admin, "--name", "orders", "--environments", "live,test", "--description", "order service"]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var printed = outcome.StandardOutput.Trim();
        Assert.Equal(printed + Environment.NewLine, outcome.StandardOutput);
        Assert.True(ApiId.TryParse(printed, out var id), printed);
        await using var scope = _data.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var api = await db.Apis.SingleAsync(a => a.Id == id);
        var owner = await db.Users.SingleAsync(u => u.Email == Admin);
        Assert.Equal(("orders", "order service", ApiEnvironments.Both, owner.PersonalOrganizationId), (api.Name, api.Description, api.Environments, api.OrganizationId));
        var audit = await db.AuditRecords.SingleAsync(r => r.Action == AuditActions.ApiCreated && r.TargetId == printed);
        Assert.Equal(Channels.CommandLine, audit.Channel);
    }

    [Fact]
    public async Task KeysCreate_WithApis_LimitsTheKeyToThem()
    {
        var orders = await CreateApiAsync("orders");
        var billing = await CreateApiAsync("billing");
        var shipping = await CreateApiAsync("shipping");

        var outcome = await RunAsync(["keys", "create", "--owner", Admin, "--name", "two apis", "--environment", "live", "--scope", "orders:read", "--api", orders, "--api", billing]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var token = outcome.StandardOutput.Trim();
        Assert.Equal(ReasonCodes.Valid, await DecideAsync(token, orders));
        Assert.Equal(ReasonCodes.Valid, await DecideAsync(token, billing));
        Assert.Equal(ReasonCodes.ApiNotAllowed, await DecideAsync(token, shipping));
    }

    [Fact]
    public async Task KeysCreate_WithoutApi_MayCallEveryApi()
    {
        var orders = await CreateApiAsync("orders");

        var outcome = await RunAsync(["keys", "create", "--owner", Admin, "--name", "all apis", "--environment", "live", "--scope", "orders:read"]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Equal(ReasonCodes.Valid, await DecideAsync(outcome.StandardOutput.Trim(), orders));
    }

    [Fact]
    public async Task KeysCreate_MalformedApi_ExitsNonZeroAndCreatesNoKey()
    {
        var outcome = await RunAsync(["keys", "create", "--owner", Admin, "--name", "bad", "--api", "orders"]);

        AssertRefused(outcome, "--api must be an API id");
        Assert.Contains("Usage:", outcome.StandardError, StringComparison.Ordinal);
        Assert.Equal(0, await KeyCountAsync());
    }

    [Fact]
    public async Task KeysCreate_ApiOfNoOrganizationOfTheOwner_ExitsNonZeroNamingIt()
    {
        var unknown = ApiId.Format(Guid.CreateVersion7());

        var outcome = await RunAsync(["keys", "create", "--owner", Admin, "--name", "bad", "--api", unknown]);

        AssertRefused(outcome, $"'{unknown}' is not an API of this organization");
        Assert.Equal(0, await KeyCountAsync());
    }

    private async Task<string> CreateApiAsync(string name)
    {
        var outcome = await RunAsync(["apis", "create", "--owner", Admin, "--name", name]);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        return outcome.StandardOutput.Trim();
    }

    /// <summary>The validator's answer for the token at the API's door, with a scope named.</summary>
    private async Task<string> DecideAsync(string token, string apiId)
    {
        Assert.True(ApiId.TryParse(apiId, out var id));
        var policy = await _data.Services.GetRequiredService<ApiPolicyCache>().GetAsync(id, CancellationToken.None);
        Assert.NotNull(policy);
        var result = await _data.Services.GetRequiredService<KeyValidator>().ValidateAsync(token, new RequestContext("orders:read", Api: policy));
        return result.Code;
    }

    private Task<ProcessOutcome> RunAsync(string[] arguments, string? adminPassword = null) =>
        PortalProcess.RunAsync(_data.Folder, arguments, adminPassword, null);

    private static void AssertRefused(ProcessOutcome outcome, string message)
    {
        Assert.True(outcome.ExitCode != 0, outcome.ToString());
        Assert.True(outcome.StandardError.Contains(message, StringComparison.Ordinal), $"no '{message}' in {outcome}");
        Assert.True(outcome.StandardOutput.Length == 0, outcome.ToString());
    }

    private async Task<int> KeyCountAsync()
    {
        await using var scope = _data.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().ApiKeys.CountAsync();
    }
}
