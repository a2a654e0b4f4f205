using Portal.Tests.Core.Audit;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Access;
using Portal.Core.Data;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Verify;

/// <summary>
/// <c>POST /api/v1/keys/verify</c> refusing a request it cannot read: a ProblemDetails naming the
/// field at fault, and no decision recorded.
/// </summary>
public abstract class VerifyEndpoint400Tests(DoorApp app)
{
    [Fact]
    public async Task Verify_UnknownField_Returns400NamingTheField()
    {
        var caller = await VerifierAsync();

        var problem = await PostAsync(caller, Json("""{"key":"pk_test_x","tenantId":"other"}"""), HttpStatusCode.BadRequest);

        AssertNamesField(problem, "tenantId");
        await AssertNothingRecordedAsync();
    }

    [Fact]
    public async Task Verify_KeyOfWrongType_Returns400NamingKey()
    {
        var caller = await VerifierAsync();

        AssertNamesField(await PostAsync(caller, Json("""{"key":12345}"""), HttpStatusCode.BadRequest), "key");
    }

    [Fact]
    public async Task Verify_ScopeNotResourceAction_Returns400NamingScope()
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        var problem = await PostAsync(caller, JsonContent.Create(new { key = issued.Token, scope = "Orders Read" }), HttpStatusCode.BadRequest);

        AssertNamesField(problem, "scope");
        await AssertNothingRecordedAsync();
    }

    [Theory]
    [InlineData("{\"key\": ")]
    [InlineData("not json at all")]
    [InlineData("[\"pk_test_x\"]")]
    [InlineData("\"pk_test_x\"")]
    public async Task Verify_BodyNotAJsonObject_Returns400ProblemDetails(string body)
    {
        var caller = await VerifierAsync();

        var problem = await PostAsync(caller, Json(body), HttpStatusCode.BadRequest);

        Assert.True(problem.TryGetProperty("errors", out _), problem.ToString());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    public async Task Verify_NonJsonContentType_Returns415ProblemDetails(string mediaType)
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        var problem = await PostAsync(caller, new StringContent($"key={issued.Token}", Encoding.UTF8, mediaType), HttpStatusCode.UnsupportedMediaType);

        Assert.Equal(415, problem.GetProperty("status").GetInt32());
        await AssertNothingRecordedAsync();
    }

    [Fact]
    public async Task Verify_NoBody_Returns415ProblemDetails()
    {
        var caller = await VerifierAsync();

        var problem = await PostAsync(caller, null, HttpStatusCode.UnsupportedMediaType);

        Assert.Equal(415, problem.GetProperty("status").GetInt32());
    }

    private Task<TestUser> VerifierAsync() => app.NewUserAsync(null, Scope.KeysVerify);

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> PostAsync(TestUser caller, HttpContent? content, HttpStatusCode expected)
    {
        var response = await caller.Client.PostAsync("/api/v1/keys/verify", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {expected}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static void AssertNamesField(JsonElement problem, string field)
    {
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"The errors should name '{field}': {problem}");
    }

    /// <summary>A refused request is no decision: nothing reaches the authentication log under the verify door.</summary>
    private async Task AssertNothingRecordedAsync()
    {
        await app.LogSentinelAsync();
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.False((await StoredLog.AllAsync(db)).Any(r => r.Door == "verify"), "A refused verify request must not be logged as a decision.");
    }
}

public sealed class SqliteVerifyEndpoint400Tests(SqliteDoorApp app) : VerifyEndpoint400Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlVerifyEndpoint400Tests(PostgreSqlDoorApp app) : VerifyEndpoint400Tests(app), IClassFixture<PostgreSqlDoorApp>;
