using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// One browser of the portal over real HTTP: its own cookie jar (which a test can copy, as a thief
/// would copy a cookie), no automatic redirects, and the account forms posted as the pages render them.
/// </summary>
public sealed partial class PortalBrowser : IDisposable
{
    private static readonly Uri Origin = new("http://localhost");

    public PortalBrowser(PortalApp app)
    {
        Client = app.CreateDefaultClient(Origin, new CookieContainerHandler(Cookies));
    }

    public CookieContainer Cookies { get; } = new();

    public HttpClient Client { get; }

    /// <summary>The session cookie as the browser holds it now, or null.</summary>
    public string? SessionCookie => Cookies.GetCookies(Origin)["portal.session"]?.Value;

    /// <summary>Another browser holding a copy of this one's session cookie (and nothing else).</summary>
    public PortalBrowser CopyTo(PortalBrowser other)
    {
        other.Cookies.Add(Origin, new Cookie("portal.session", SessionCookie ?? throw new InvalidOperationException("Not signed in.")));
        return other;
    }

    /// <summary>Signs in with email and password; answers the path and query the portal sent the browser to next.</summary>
    public async Task<string> SignInAsync(string email, string password = TestTenants.Password)
    {
        var response = await PostFormAsync("/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return new Uri(Origin, response.Headers.Location!).PathAndQuery;
    }

    /// <summary>The second step of a sign-in; answers the response (a redirect when the code was taken).</summary>
    public Task<HttpResponseMessage> SignInCodeAsync(string code, bool rememberBrowser = false) =>
        PostFormAsync("/account/login-2fa?returnUrl=%2F&rememberMe=False", "login-2fa", new()
        {
            ["Input.Code"] = code,
            ["Input.RememberMachine"] = rememberBrowser ? "true" : "false",
        });

    /// <summary>Whether the account page opens (200) rather than sending the browser to sign in.</summary>
    public async Task<bool> IsSignedInAsync()
    {
        var response = await Client.GetAsync("/account/manage");
        return response.StatusCode == HttpStatusCode.OK;
    }

    public async Task SignOutAsync()
    {
        var page = await Client.GetStringAsync("/account/manage");
        var response = await Client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Antiforgery().Match(page).Groups[1].Value,
            ["returnUrl"] = "/",
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    /// <summary>Opens the page, then posts its form <paramref name="form"/> with the page's antiforgery token and <paramref name="fields"/>.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string url, string form, Dictionary<string, string> fields)
    {
        var page = await Client.GetStringAsync(url);
        var body = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = Antiforgery().Match(page).Groups[1].Value,
            ["_handler"] = form,
        };
        return await Client.PostAsync(url, new FormUrlEncodedContent(body));
    }

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();
}
