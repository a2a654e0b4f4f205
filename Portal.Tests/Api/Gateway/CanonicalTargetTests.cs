using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Keys;
using Portal.Tests.Auth;
using Portal.Tests.Core.Apis;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// Every canonicalisation vector answered alike by the test-access tool, verify, the header form
/// and the path form of the gateway door, over real HTTP on Kestrel: one canonical target, one decision.
/// </summary>
public sealed class CanonicalTargetTests(KestrelDoorApp app) : IClassFixture<KestrelDoorApp>
{
    private static readonly SemaphoreSlim SetupLock = new(1, 1);
    private static Setup? s_setup;

    [Theory]
    [MemberData(nameof(CanonicalVectors.Data), MemberType = typeof(CanonicalVectors))]
    public async Task HeaderForm_Vector_DecidedOnTheCanonicalTarget(CanonicalVector vector)
    {
        var setup = await SetupAsync();
        List<(string, string)> headers = [("Authorization", $"Bearer {setup.Token}"), ("X-Original-Method", vector.Method), ("X-Original-URI", vector.Target)];
        if (vector.OverrideHeader is { } name)
        {
            headers.Add((name, "DELETE"));
        }

        var response = await app.SendRawAsync("GET", $"/api/v1/auth/check/{setup.Api.PublicId}", [.. headers]);

        Assert.Equal(vector.Code, response.Header("X-Auth-Code"));
        Assert.Equal(vector.Code == "VALID" ? 200 : 403, response.Status);
    }

    [Theory]
    [MemberData(nameof(CanonicalVectors.Data), MemberType = typeof(CanonicalVectors))]
    public async Task PathForm_Vector_DecidedOnTheRawTarget(CanonicalVector vector)
    {
        var setup = await SetupAsync();
        List<(string, string)> headers = [("Authorization", $"Bearer {setup.Token}")];
        if (vector.OverrideHeader is { } name)
        {
            headers.Add((name, "DELETE"));
        }

        var response = await app.SendRawAsync(vector.Method.ToUpperInvariant(), $"/api/v1/auth/ext-authz/{setup.Api.PublicId}{vector.Target}", [.. headers]);

        if (vector.Code == "VALID")
        {
            Assert.Equal(200, response.Status);
            return;
        }

        // Kestrel refuses a few raw targets itself (400) before any endpoint runs; either way, never allowed.
        Assert.NotEqual(200, response.Status);
        if (response.Status != 400)
        {
            Assert.Equal(403, response.Status);
            Assert.Equal(vector.Code, response.Header("X-Auth-Code"));
        }
    }

    [Theory]
    [MemberData(nameof(CanonicalVectors.WithoutHeaders), MemberType = typeof(CanonicalVectors))]
    public async Task Verify_Vector_SameCodeAsTheDoors(CanonicalVector vector)
    {
        var setup = await SetupAsync();

        using var response = await setup.Verifier.Client.PostAsJsonAsync(
            "/api/v1/keys/verify", new { key = setup.Token, apiId = setup.Api.PublicId, method = vector.Method, path = vector.Target });

        response.EnsureSuccessStatusCode();
        Assert.Equal(vector.Code, (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Theory]
    [MemberData(nameof(CanonicalVectors.WithoutHeaders), MemberType = typeof(CanonicalVectors))]
    public async Task TestAccessTool_Vector_SameCodeAsTheDoors(CanonicalVector vector)
    {
        var setup = await SetupAsync();
        await using var scope = app.Scope();

        var explained = await scope.ServiceProvider.GetRequiredService<AccessExplainer>().ExplainAsync(
            setup.Owner.Caller(), setup.KeyId, new AccessQuestion(vector.Method, vector.Target, ApiId: setup.Api.Id));

        Assert.NotNull(explained);
        Assert.Equal(vector.Code, explained.Code);
    }

    private async Task<Setup> SetupAsync()
    {
        await SetupLock.WaitAsync();
        try
        {
            if (s_setup is { } known && known.App == app)
            {
                return known;
            }

            var owner = await app.NewUserAsync(null, Scope.KeysVerify);
            foreach (var (method, template, scope) in CanonicalVectors.Rules)
            {
                await app.AddRuleAsync(owner, method, template, scope);
            }

            var issued = await app.CreateKeyAsync(owner, CanonicalVectors.KeyScopes);
            return s_setup = new Setup(app, owner, owner, await app.ApiAsync(owner), issued.Token, issued.Key.Id);
        }
        finally
        {
            SetupLock.Release();
        }
    }

    private sealed record Setup(KestrelDoorApp App, TestUser Owner, TestUser Verifier, ProtectedApi Api, string Token, Guid KeyId);
}
