using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// The request target as a client sent it. Kestrel keeps it in <see cref="IHttpRequestFeature.RawTarget"/>
/// and the gateway door's path form reads it from there; TestServer leaves it empty. A client made
/// with <see cref="Handler"/> names its target in <see cref="Header"/>, exactly as it would write it
/// on the wire, unless the test wrote one itself (a raw client's target, which HttpClient cannot
/// send); other clients get one rebuilt from the decoded path, which is the same for plain paths.
/// </summary>
public static class RawTargets
{
    /// <summary>A test-only header carrying the client's target; removed before the app sees the request.</summary>
    public const string Header = "X-Test-Raw-Target";

    /// <summary>A client-side handler that names every request's target (path and query as sent) in <see cref="Header"/>.</summary>
    public static DelegatingHandler Handler() => new Stamp();

    private sealed class Stamp : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!request.Headers.Contains(Header))
            {
                request.Headers.TryAddWithoutValidation(Header, request.RequestUri!.PathAndQuery);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    internal sealed class Filter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                var feature = context.Features.GetRequiredFeature<IHttpRequestFeature>();
                var named = context.Request.Headers[Header].ToString();
                context.Request.Headers.Remove(Header);
                if (string.IsNullOrEmpty(feature.RawTarget))
                {
                    var request = context.Request;
                    feature.RawTarget = named.Length > 0 ? named : (request.PathBase + request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
