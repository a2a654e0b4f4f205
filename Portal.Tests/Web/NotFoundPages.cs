using System.Net;

namespace Portal.Tests.Web;

public static class NotFoundPages
{
    /// <summary>Gets a page that must answer 404 and say so; returns what it shows.</summary>
    public static async Task<string> GetNotFoundPageAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var page = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path} answered {(int)response.StatusCode}, not 404.");
        Assert.Contains("Not found", page);
        return page;
    }
}
