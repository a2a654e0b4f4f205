using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Webhooks;

/// <summary>Webhook delivery settings, bound from the <c>Webhooks</c> section.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Accept <c>http://</c> URLs on a loopback address (127.0.0.1, ::1, localhost), and let
    /// deliveries connect to loopback at all. Off by default: events carry key metadata and must
    /// travel over TLS to a receiver elsewhere. The host turns it on in Development.
    /// </summary>
    public bool? AllowLoopbackHttp { get; set; }

    /// <summary>
    /// Let deliveries connect to addresses inside: loopback, private (RFC 1918), carrier-grade NAT,
    /// link-local (cloud metadata services), unique-local, special-purpose ranges and the portal's
    /// own addresses and host. Off by default, so an organization admin cannot aim the portal at
    /// the network it runs in. Unspecified, multicast and reserved addresses stay refused.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How long one delivery attempt may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "Webhooks:Timeout must be between 00:00:01 and 00:01:00.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per event before it is abandoned; waits double from one minute between them.</summary>
    [Range(1, 20, ErrorMessage = "Webhooks:MaxAttempts must be between 1 and 20.")]
    public int MaxAttempts { get; set; } = 8;
}
