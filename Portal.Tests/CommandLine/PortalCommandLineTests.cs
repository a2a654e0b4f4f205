using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Validation;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.CommandLine;

/// <summary>The admin command line end to end: the built program run as a process on a fresh data folder.</summary>
public sealed class PortalCommandLineTests : IAsyncLifetime
{
    private const string Password = "correct-horse-battery-staple";
    private const string Admin = "admin@example.com";

    private readonly CommandLineData _data = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _data.DisposeAsync();

    [Fact]
    public async Task AdminCreate_PasswordFromEnvironment_CreatesPlatformAdministrator()
    {
        var outcome = await RunAsync(["admin", "create", "--email", Admin], adminPassword: Password);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.DoesNotContain(Password, outcome.StandardOutput + outcome.StandardError, StringComparison.Ordinal);
        await AssertPlatformAdministratorAsync(Admin, Password);
    }

    [Fact]
    public async Task AdminCreate_PasswordFromStandardInput_CreatesPlatformAdministrator()
    {
        var outcome = await RunAsync(["admin", "create", "--email", Admin], standardInput: Password + "\n");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        await AssertPlatformAdministratorAsync(Admin, Password);
    }

    [Fact]
    public async Task KeysCreate_ValidArguments_PrintsOnlyTheTokenWhichValidates()
    {
        await CreateAdminAsync();
        var before = DateTimeOffset.UtcNow;

        var outcome = await RunAsync(["keys", "create", "--owner", Admin, "--name", "deploy bot", "--scope", "orders:read", "--scope", "keys:manage", "--expires", "30d"]);

        var after = DateTimeOffset.UtcNow;
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var lines = outcome.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var token = Assert.Single(lines).TrimEnd('\r');
        Assert.Equal(token + Environment.NewLine, outcome.StandardOutput);
        Assert.True(ApiKeyToken.TryParse(token, out var prefix));
        Assert.Equal("pk_test", prefix.ToString());
        Assert.DoesNotContain(token, outcome.StandardError, StringComparison.Ordinal);

        var result = await _data.Services.GetRequiredService<KeyValidator>().ValidateAsync(token, new RequestContext("orders:read"));
        Assert.Equal(ReasonCodes.Valid, result.Code);
        var key = result.Key!;
        Assert.Equal("deploy bot", key.Name);
        Assert.Equal(["keys:manage", "orders:read"], key.Scopes);
        Assert.InRange(key.ExpiresAt!.Value, before.AddDays(30).AddSeconds(-1), after.AddDays(30).AddSeconds(1));
        Assert.Equal(ReasonCodes.InsufficientScope, (await _data.Services.GetRequiredService<KeyValidator>().ValidateAsync(token, new RequestContext("orders:write"))).Code);

        await using var scope = _data.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var owner = await db.Users.SingleAsync(u => u.Email == Admin);
        Assert.Equal(owner.Id, key.OwnerId);
        Assert.Equal(owner.PersonalOrganizationId, key.OrganizationId);
        var audit = await db.AuditRecords.SingleAsync(r => r.Action == AuditActions.KeyCreated && r.TargetId == key.KeyId.ToString());
        Assert.Equal(Channels.CommandLine, audit.Channel);
        Assert.DoesNotContain(token, audit.Details ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysCreate_LiveEnvironmentWithoutExpiry_PrintsLiveToken()
    {
        await CreateAdminAsync();

        var outcome = await RunAsync(["keys", "create", "--owner", Admin, "--name", "live one", "--environment", "live"]);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var token = outcome.StandardOutput.Trim();
        Assert.StartsWith("pk_live_", token, StringComparison.Ordinal);
        var result = await _data.Services.GetRequiredService<KeyValidator>().ValidateAsync(token, default);
        Assert.Equal(ReasonCodes.Valid, result.Code);
        Assert.Null(result.Key!.ExpiresAt);
    }

    public static TheoryData<string, string[], string> BadAdminCreate => new()
    {
        { "missing --email", ["admin", "create"], "--email" },
        { "--email without value", ["admin", "create", "--email"], "--email" },
        { "unknown verb", ["admin", "delete", "--email", Admin], "unknown command 'admin delete'" },
        { "no verb", ["admin"], "verb" },
        { "--password as argument", ["admin", "create", "--email", Admin, "--password", "hunter2-hunter2-hunter2"], "never taken as arguments" },
        { "stray argument", ["admin", "create", Admin], "unexpected argument" },
        { "--email twice", ["admin", "create", "--email", Admin, "--email", "other@example.com"], "more than once" },
        { "not an email", ["admin", "create", "--email", "not-an-email"], "not an email address" },
    };

    [Theory]
    [MemberData(nameof(BadAdminCreate))]
    public async Task AdminCreate_BadInput_ExitsNonZeroWithMessageAndCreatesNobody(string scenario, string[] arguments, string message)
    {
        var outcome = await RunAsync(arguments, adminPassword: Password);

        AssertRefused(outcome, message, scenario);
        Assert.DoesNotContain("hunter2", outcome.StandardError, StringComparison.Ordinal);
        Assert.Equal(0, await UserCountAsync());
    }

    [Theory]
    [InlineData("short")]
    [InlineData("elevenchars")]
    public async Task AdminCreate_WeakPassword_ExitsNonZeroAndLeavesNothingBehind(string password)
    {
        var outcome = await RunAsync(["admin", "create", "--email", Admin], adminPassword: password);

        AssertRefused(outcome, "12 characters", "weak password");
        Assert.DoesNotContain(password, outcome.StandardError, StringComparison.Ordinal);
        Assert.Equal(0, await UserCountAsync());
        await using var scope = _data.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Organizations.CountAsync());
    }

    [Fact]
    public async Task AdminCreate_NoPasswordAnywhere_ExitsNonZero()
    {
        var outcome = await RunAsync(["admin", "create", "--email", Admin], standardInput: "");

        AssertRefused(outcome, "PORTAL_ADMIN_PASSWORD", "no password");
        Assert.Equal(0, await UserCountAsync());
    }

    [Fact]
    public async Task AdminCreate_EmailTaken_ExitsNonZero()
    {
        await CreateAdminAsync();

        var outcome = await RunAsync(["admin", "create", "--email", Admin], adminPassword: Password);

        AssertRefused(outcome, "already exists", "email taken");
        Assert.Equal(1, await UserCountAsync());
    }

    [Theory]
    [InlineData("unknown command 'keys delete'", "keys", "delete", "--name", "x")]
    [InlineData("unknown command 'admn create'", "admn", "create", "--email", Admin)]
    [InlineData("a command needs a verb", "frobnicate")]
    public async Task UnknownCommand_ExitsNonZeroWithUsage(string message, params string[] arguments)
    {
        var outcome = await RunAsync(arguments);

        AssertRefused(outcome, message, "unknown command");
        Assert.Contains("Usage:", outcome.StandardError, StringComparison.Ordinal);
    }

    public static TheoryData<string, string[], string> BadKeysCreate => new()
    {
        { "unknown owner", ["keys", "create", "--owner", "nobody@example.com", "--name", "k"], "No user has the email 'nobody@example.com'" },
        { "missing --owner", ["keys", "create", "--name", "k"], "--owner" },
        { "missing --name", ["keys", "create", "--owner", Admin], "--name" },
        { "empty name", ["keys", "create", "--owner", Admin, "--name", " "], "Name is required" },
        { "expiry unit unknown", ["keys", "create", "--owner", Admin, "--name", "k", "--expires", "30x"], "--expires" },
        { "expiry zero", ["keys", "create", "--owner", Admin, "--name", "k", "--expires", "0d"], "--expires" },
        { "expiry words", ["keys", "create", "--owner", Admin, "--name", "k", "--expires", "next week"], "--expires" },
        { "expiry in the past", ["keys", "create", "--owner", Admin, "--name", "k", "--expires", "2001-01-01"], "expiry must be in the future" },
        { "bad scope", ["keys", "create", "--owner", Admin, "--name", "k", "--scope", "Orders"], "'Orders' is not a scope" },
        { "unknown environment", ["keys", "create", "--owner", Admin, "--name", "k", "--environment", "prod"], "--environment" },
        { "--password as argument", ["keys", "create", "--owner", Admin, "--name", "k", "--password", "x"], "never taken as arguments" },
    };

    [Theory]
    [MemberData(nameof(BadKeysCreate))]
    public async Task KeysCreate_BadInput_ExitsNonZeroWithMessageAndCreatesNoKey(string scenario, string[] arguments, string message)
    {
        await CreateAdminAsync();

        var outcome = await RunAsync(arguments);

        AssertRefused(outcome, message, scenario);
        Assert.Equal(0, await KeyCountAsync());
    }

    [Fact]
    public async Task KeysCreate_DuplicateName_ExitsNonZeroAndKeepsTheFirstKey()
    {
        await CreateAdminAsync();
        var first = await RunAsync(["keys", "create", "--owner", Admin, "--name", "twice"]);
        Assert.True(first.ExitCode == 0, first.ToString());

        var second = await RunAsync(["keys", "create", "--owner", Admin, "--name", "twice"]);

        AssertRefused(second, "already have a key named 'twice'", "duplicate name");
        Assert.Equal(1, await KeyCountAsync());
        Assert.Equal(ReasonCodes.Valid, (await _data.Services.GetRequiredService<KeyValidator>().ValidateAsync(first.StandardOutput.Trim(), default)).Code);
    }

    private Task<ProcessOutcome> RunAsync(string[] arguments, string? adminPassword = null, string? standardInput = null) =>
        PortalProcess.RunAsync(_data.Folder, arguments, adminPassword, standardInput);

    private async Task CreateAdminAsync()
    {
        var outcome = await RunAsync(["admin", "create", "--email", Admin], adminPassword: Password);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
    }

    private static void AssertRefused(ProcessOutcome outcome, string message, string scenario)
    {
        Assert.True(outcome.ExitCode != 0, $"{scenario}: {outcome}");
        Assert.True(outcome.StandardError.Contains(message, StringComparison.Ordinal), $"{scenario}: no '{message}' in {outcome}");
        Assert.True(outcome.StandardError.Contains("error:", StringComparison.Ordinal), $"{scenario}: {outcome}");
        Assert.True(outcome.StandardOutput.Length == 0, $"{scenario}: {outcome}");
    }

    private async Task AssertPlatformAdministratorAsync(string email, string password)
    {
        await using var scope = _data.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        var roles = await db.UserRoles.Where(r => r.UserId == user.Id)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name)
            .ToListAsync();
        Assert.Equal([PlatformRoles.Administrator], roles);
        Assert.NotNull(user.PasswordHash);
        Assert.DoesNotContain(password, user.PasswordHash, StringComparison.Ordinal);
        var membership = await db.Memberships.SingleAsync(m => m.UserId == user.Id);
        Assert.Equal(user.PersonalOrganizationId, membership.OrganizationId);
        Assert.Equal(OrganizationRole.Owner, membership.Role);
        var audit = await db.AuditRecords.SingleAsync(r => r.Action == AuditActions.AdminCreated);
        Assert.Equal(user.Id.ToString(), audit.TargetId);
        Assert.Equal(Channels.CommandLine, audit.Channel);
    }

    private async Task<int> UserCountAsync()
    {
        if (!File.Exists(Path.Combine(_data.Folder, "data", "portal.db")))
        {
            return 0;
        }

        await using var scope = _data.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Users.CountAsync();
    }

    private async Task<int> KeyCountAsync()
    {
        await using var scope = _data.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().ApiKeys.CountAsync();
    }
}
