using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Core.Organizations;

namespace Portal.Tests.Infrastructure;

/// <summary>A user of the running app, with a key that may manage keys and a client that sends it.</summary>
public sealed record TestUser(PortalUser User, Guid OrganizationId, string ManageToken, HttpClient Client)
{
    public Caller Caller(Guid? organizationId = null) => new(User.Id, User.Email!, Channels.Portal, "127.0.0.1", organizationId);
}

public static class TestTenants
{
    public const string Password = "correct-horse-battery-staple";

    /// <summary>
    /// Registers a user (with their personal organization) and gives them a management key holding
    /// <c>keys:manage</c> and <c>*:*</c>: a key creates keys only within its own grants, and the tests'
    /// keys are made through this one.
    /// </summary>
    public static async Task<TestUser> NewUserAsync(this PortalApp app, string? email = null, params string[] extraScopes)
    {
        email ??= $"dev-{Guid.NewGuid():N}@example.com";
        await using var scope = app.Scope();
        var user = await scope.ServiceProvider.GetRequiredService<UserAccounts>().CreateAsync(email, Password, actor: null);
        var caller = new Caller(user.Id, email, Channels.Portal);
        var issued = await scope.ServiceProvider.GetRequiredService<KeyCatalog>().CreateAsync(
            caller, new CreateKeyCommand("management", Scopes: [Scope.KeysManage, "*:*", .. extraScopes]));
        return new TestUser(user, user.PersonalOrganizationId, issued.Token, app.ClientWith(issued.Token));
    }

    /// <summary>A client with a live management key of the user's personal organization: a key creates keys of its own environment only.</summary>
    public static async Task<HttpClient> LiveClientAsync(this PortalApp app, TestUser user)
    {
        await using var scope = app.Scope();
        var issued = await scope.ServiceProvider.GetRequiredService<KeyCatalog>().CreateAsync(
            user.Caller(), new CreateKeyCommand($"live management {Guid.NewGuid():N}", Environment: KeyEnvironment.Live, Scopes: [Scope.KeysManage, "*:*"]));
        return app.ClientWith(issued.Token);
    }

    public static HttpClient ClientWith(this PortalApp app, string token)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
