using System.Net;
using System.Net.Http.Json;
using Portal.Api.Apis;

namespace Portal.Tests.Infrastructure;

/// <summary>Registering APIs and their rules through <c>/api/v1/apis</c>, as automation does (the client's key holds <c>apis:manage</c>).</summary>
public static class ApiRegistry
{
    /// <summary>Registers an API accepting live and test keys; <paramref name="allowUnmatched"/> lets any valid key through requests no rule matches.</summary>
    public static async Task<ApiResponse> CreateApiAsync(this HttpClient client, string name, bool allowUnmatched = false) =>
        await (await client.PostAsJsonAsync("/api/v1/apis", new { name, environments = new[] { "live", "test" }, allowUnmatchedRequests = allowUnmatched }))
            .ReadAsync<ApiResponse>(HttpStatusCode.Created);

    public static async Task<EndpointRuleResponse> AddRuleAsync(this HttpClient client, string apiId, string method, string pathTemplate, string scope) =>
        await (await client.PostAsJsonAsync($"/api/v1/apis/{apiId}/rules", new { method, pathTemplate, scope }))
            .ReadAsync<EndpointRuleResponse>(HttpStatusCode.Created);
}
