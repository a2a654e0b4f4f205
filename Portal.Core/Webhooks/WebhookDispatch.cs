using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;
using Portal.Core.Data;

namespace Portal.Core.Webhooks;

/// <summary>
/// Sends due webhook events (the outbox) to their organization's endpoint, signed as Standard
/// Webhooks. A failed attempt is retried later with doubling waits (1, 2, 4 … minutes) until
/// <see cref="WebhookOptions.MaxAttempts"/>; each attempt is claimed first, so several nodes never
/// send one event at the same time. A connection only reaches an address the rule admits
/// (<see cref="WebhookConnector"/>); a refused one counts as a failed attempt whose error says why.
/// Never logs the secret or a response body.
/// </summary>
public sealed partial class WebhookDispatch(
    IDbContextFactory<PortalDbContext> contexts,
    IHttpClientFactory httpClients,
    IDataProtectionProvider protection,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookDispatch> logger) : IReconciliation
{
    public const string JobName = "deliver-webhooks";
    public const string HttpClientName = "webhooks";
    public const int BatchSize = 50;
    private const int Parallelism = 4;

    /// <summary>Adds an event to the outbox in the caller's unit of work, so the event exists exactly when its cause does.</summary>
    public static WebhookDelivery Enqueue(PortalDbContext db, Guid organizationId, string type, object data, DateTimeOffset now)
    {
        var delivery = new WebhookDelivery
        {
            OrganizationId = organizationId,
            EventType = type,
            Payload = "",
            CreatedAt = now,
            NextAttemptAt = now,
        };
        delivery.Payload = JsonSerializer.Serialize(new { type, timestamp = now, data }, JsonSerializerOptions.Web);
        db.WebhookDeliveries.Add(delivery);
        return delivery;
    }

    /// <summary>Makes one attempt at every due event; returns how many were delivered.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        List<Guid> due;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var now = time.GetUtcNow();
            due = await db.WebhookDeliveries.AsNoTracking()
                .Where(d => d.DeliveredAt == null && d.AbandonedAt == null && d.NextAttemptAt <= now)
                .OrderBy(d => d.NextAttemptAt)
                .Select(d => d.Id)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
        }

        var outcomes = new int[3];
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var outcome = await AttemptAsync(id, ct);
            if (outcome is { } index)
            {
                Interlocked.Increment(ref outcomes[(int)index]);
            }
        });

        await JobRuns.RecordAsync(contexts, time, JobName, new Dictionary<string, int>
        {
            ["delivered"] = outcomes[(int)Outcome.Delivered],
            ["failedWillRetry"] = outcomes[(int)Outcome.Retrying],
            ["abandoned"] = outcomes[(int)Outcome.Abandoned],
        }, cancellationToken);
        return outcomes[(int)Outcome.Delivered];
    }

    /// <summary>The wait after the given number of failed attempts: 1 minute, doubling, at most 12 hours.</summary>
    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromMinutes(Math.Min(Math.Pow(2, Math.Max(0, attempts - 1)), 12 * 60));

    private async Task<Outcome?> AttemptAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(
            d => d.Id == id && d.DeliveredAt == null && d.AbandonedAt == null && d.NextAttemptAt <= now, cancellationToken);
        if (delivery is null)
        {
            return null;
        }

        // Claim the attempt: push the next attempt past this one's timeout and count it. A second
        // node that read the same row fails on the concurrency stamp and leaves it alone.
        delivery.Attempts++;
        delivery.NextAttemptAt = now + options.Value.Timeout * 2;
        delivery.ConcurrencyStamp = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return null;
        }

        var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(w => w.OrganizationId == delivery.OrganizationId, cancellationToken);
        string? error;
        if (endpoint is null)
        {
            error = "no endpoint";
            delivery.Attempts = options.Value.MaxAttempts;
        }
        else
        {
            error = await SendAsync(endpoint, delivery, cancellationToken);
        }

        var after = time.GetUtcNow();
        Outcome outcome;
        if (error is null)
        {
            delivery.DeliveredAt = after;
            delivery.LastError = null;
            outcome = Outcome.Delivered;
        }
        else if (delivery.Attempts >= options.Value.MaxAttempts)
        {
            delivery.AbandonedAt = after;
            delivery.LastError = error;
            outcome = Outcome.Abandoned;
            LogAbandoned(logger, delivery.Id, delivery.OrganizationId, delivery.Attempts, error);
        }
        else
        {
            delivery.NextAttemptAt = after + Backoff(delivery.Attempts);
            delivery.LastError = error;
            outcome = Outcome.Retrying;
            LogFailed(logger, delivery.Id, delivery.OrganizationId, delivery.Attempts, error);
        }

        delivery.ConcurrencyStamp = Guid.NewGuid();
        await db.SaveChangesAsync(cancellationToken);
        return outcome;
    }

    /// <summary>Sends one attempt; returns null on a 2xx answer, else a short reason (no body).</summary>
    private async Task<string?> SendAsync(WebhookEndpoint endpoint, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var secret = WebhookSettings.Unprotect(protection, endpoint);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add(WebhookSignature.IdHeader, delivery.MessageId);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, delivery.MessageId, timestamp, delivery.Payload));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "timeout";
        }
        catch (HttpRequestException e) when (Refusal(e) is { } refused)
        {
            return Truncated($"refused: {refused.Reason}");
        }
        catch (HttpRequestException e)
        {
            return e.HttpRequestError.ToString();
        }
    }

    private static WebhookDestinationRefusedException? Refusal(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is WebhookDestinationRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    // LastError holds at most 200 characters; a reason names one address, so this only guards the column.
    private static string Truncated(string error) => error.Length <= 200 ? error : error[..200];

    private enum Outcome
    {
        Delivered = 0,
        Retrying = 1,
        Abandoned = 2,
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook event {DeliveryId} of organization {OrganizationId} failed on attempt {Attempt} ({Error}); it will be retried.")]
    private static partial void LogFailed(ILogger logger, Guid deliveryId, Guid organizationId, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook event {DeliveryId} of organization {OrganizationId} was abandoned after {Attempt} attempts ({Error}).")]
    private static partial void LogAbandoned(ILogger logger, Guid deliveryId, Guid organizationId, int attempt, string error);
}
