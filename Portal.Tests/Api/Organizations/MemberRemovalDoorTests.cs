using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Organizations;

/// <summary>
/// Offboarding seen from the doors: once a member is removed (or demoted to viewer), their keys are
/// refused on the very next request, though the doors had just allowed them and cached them.
/// </summary>
public abstract class MemberRemovalDoorTests(DoorApp app)
{
    [Fact]
    public async Task RemovedMember_KeyRefusedAtGatewayDoorOnNextRequest_401Revoked()
    {
        var (organization, admin) = await OrganizationAsync();
        var developer = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var key = await KeyInAsync(developer, organization.Id, "orders:read");
        var url = await app.CheckUrlAsync(admin, "orders:read");
        using (var allowed = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(key.Token)))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        await RemoveAsync(organization, developer);

        using var refused = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(key.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("REVOKED", refused.Header("X-Auth-Code"));
        Assert.Null(refused.Header("X-Auth-Key-Id"));
    }

    [Fact]
    public async Task RemovedMember_KeyRefusedAtVerifyOnNextRequest_AsCaller401Revoked_AsSubjectRevoked()
    {
        var (organization, admin) = await OrganizationAsync();
        var developer = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var developerVerifier = await KeyInAsync(developer, organization.Id, Scope.KeysVerify);
        var developerKey = await KeyInAsync(developer, organization.Id, "orders:read");
        var adminVerifier = await KeyInAsync(admin, organization.Id, Scope.KeysVerify);
        var adminKey = await KeyInAsync(admin, organization.Id, "orders:read");
        using (var before = await VerifyAsync(developerVerifier.Token, adminKey.Token))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using (var before = await VerifyAsync(adminVerifier.Token, developerKey.Token))
        {
            Assert.True((await before.ReadJsonAsync()).GetProperty("valid").GetBoolean());
        }

        await RemoveAsync(organization, developer);

        using var asCaller = await VerifyAsync(developerVerifier.Token, adminKey.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, asCaller.StatusCode);
        Assert.Equal("REVOKED", (await asCaller.ReadJsonAsync()).GetProperty("code").GetString());
        using var asSubject = await VerifyAsync(adminVerifier.Token, developerKey.Token);
        var answer = await asSubject.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, asSubject.StatusCode);
        Assert.False(answer.GetProperty("valid").GetBoolean());
        Assert.Equal("REVOKED", answer.GetProperty("code").GetString());
    }

    [Fact]
    public async Task DemotedToViewer_KeyRefusedAtGatewayDoorOnNextRequest_401Revoked()
    {
        var (organization, admin) = await OrganizationAsync();
        var developer = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var key = await KeyInAsync(developer, organization.Id, "orders:read");
        var url = await app.CheckUrlAsync(admin, "orders:read");
        using (var allowed = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(key.Token)))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        await using (var scope = app.Scope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>()
                .ChangeRoleAsync(organization.Owner.Caller(), organization.Id, developer.User.Id, OrganizationRole.Viewer));
        }

        using var refused = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(key.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("REVOKED", refused.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task DemotedAdmin_StrippedScopeRefusedAtGatewayDoorOnNextRequest_RestStillAllowed()
    {
        var (organization, admin) = await OrganizationAsync();
        var member = await app.NewMemberAsync(organization, OrganizationRole.Admin);
        var key = await KeyInAsync(member, organization.Id, "orders:admin", "invoices:read");
        var adminUrl = await app.CheckUrlAsync(admin, "orders:admin");
        var readUrl = await app.CheckUrlAsync(admin, "invoices:read");
        using (var allowed = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, adminUrl).WithBearer(key.Token)))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        await using (var scope = app.Scope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>()
                .ChangeRoleAsync(organization.Owner.Caller(), organization.Id, member.User.Id, OrganizationRole.Developer));
        }

        using var refused = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, adminUrl).WithBearer(key.Token));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("INSUFFICIENT_SCOPE", refused.Header("X-Auth-Code"));
        using var kept = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, readUrl).WithBearer(key.Token));
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
    }

    /// <summary>An organization and its owner as a test user acting in it (whose gateway API the doors serve).</summary>
    private async Task<(TestOrganization Organization, TestUser Admin)> OrganizationAsync()
    {
        var organization = await app.NewOrganizationAsync();
        return (organization, organization.Owner with { OrganizationId = organization.Id });
    }

    private async Task<IssuedKey> KeyInAsync(TestUser member, Guid organizationId, params string[] scopes)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<KeyCatalog>().CreateAsync(
            member.Caller(), new CreateKeyCommand($"key {Guid.NewGuid():N}", Scopes: scopes, OrganizationId: organizationId));
    }

    private async Task RemoveAsync(TestOrganization organization, TestUser member)
    {
        await using var scope = app.Scope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>()
            .RemoveMemberAsync(organization.Owner.Caller(), organization.Id, member.User.Id));
    }

    private Task<HttpResponseMessage> VerifyAsync(string callerToken, string key) =>
        app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/keys/verify") { Content = JsonContent.Create(new { key }) }.WithBearer(callerToken));
}

public sealed class SqliteMemberRemovalDoorTests(SqliteDoorApp app) : MemberRemovalDoorTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlMemberRemovalDoorTests(PostgreSqlDoorApp app) : MemberRemovalDoorTests(app), IClassFixture<PostgreSqlDoorApp>;
