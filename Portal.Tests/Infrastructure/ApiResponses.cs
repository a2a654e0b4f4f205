using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Api.Keys;
using Portal.Hosting;

namespace Portal.Tests.Infrastructure;

/// <summary>Reading the API's answers the way a client would: its JSON settings, its ProblemDetails.</summary>
public static class ApiResponses
{
    /// <summary>The API's own JSON settings, tolerant of fields a test does not model.</summary>
    public static JsonSerializerOptions Json { get; } = CreateJson();

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<T>(body, Json)!;
    }

    /// <summary>Checks an RFC 7807 answer (status, media type) and returns its body.</summary>
    public static async Task<JsonElement> ReadProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>The <c>errors</c> member of a ProblemDetails: field name to messages.</summary>
    public static IReadOnlyDictionary<string, string[]> Errors(this JsonElement problem)
    {
        Assert.True(problem.TryGetProperty("errors", out var errors), $"no 'errors' in {problem}");
        return errors.Deserialize<Dictionary<string, string[]>>()!;
    }

    public static async Task<IssuedKeyResponse> CreateKeyAsync(this HttpClient client, object request) =>
        await (await client.PostAsJsonAsync("/api/v1/keys", request)).ReadAsync<IssuedKeyResponse>(HttpStatusCode.Created);

    public static async Task<IssuedKeyResponse> CreateKeyAsync(this HttpClient client, string name, params string[] scopes) =>
        await client.CreateKeyAsync(new { name, scopes });

    private static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        PortalServices.ConfigurePortalJson(json);
        json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
        return json;
    }
}
