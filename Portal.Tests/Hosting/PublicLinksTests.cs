using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Portal.Hosting;

namespace Portal.Tests.Hosting;

/// <summary>Links printed for elsewhere: on PublicUrl when set, else on the page's base (a path base kept).</summary>
public sealed class PublicLinksTests
{
    [Theory]
    [InlineData("https://keys.example.com", "https://keys.example.com/invitations/abc")]
    [InlineData("https://keys.example.com/", "https://keys.example.com/invitations/abc")]
    [InlineData("http://keys.example.com:8080", "http://keys.example.com:8080/invitations/abc")]
    public void To_PublicUrlSet_LinkIsOnIt(string publicUrl, string expected)
    {
        var links = new PublicLinks(Options.Create(new PublicUrlOptions { Url = publicUrl }));

        Assert.Equal(expected, links.To("/invitations/abc", new PageAt("http://10.1.2.3:5000/")));
    }

    [Theory]
    [InlineData("http://10.1.2.3:5000/", "http://10.1.2.3:5000/invitations/abc")]
    [InlineData("https://keys.example.com/portal/", "https://keys.example.com/portal/invitations/abc")]
    public void To_NoPublicUrl_LinkIsOnThePagesBase(string pageBase, string expected)
    {
        var links = new PublicLinks(Options.Create(new PublicUrlOptions()));

        Assert.Equal(expected, links.To("/invitations/abc", new PageAt(pageBase)));
    }

    private sealed class PageAt : NavigationManager
    {
        public PageAt(string baseUri) => Initialize(baseUri, baseUri);
    }
}
