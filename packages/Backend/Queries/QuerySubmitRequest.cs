namespace Lightdash.Net.Backend.Queries;

/// <summary>What every execute route takes besides its own fields: the query's priority and its completion callback.</summary>
public abstract class QuerySubmitRequest
{
    /// <summary>
    /// How the query is picked up among the queued queries that the fairness rule lets run: <c>high</c>,
    /// <c>normal</c> (the default) or <c>low</c>. A flood of low-priority queries delays a high-priority one
    /// by at most one pick-up.
    /// </summary>
    public string? Priority { get; init; }

    /// <summary>
    /// An address the server POSTs to when the query ends (<c>ready</c>, <c>error</c>, <c>cancelled</c> or
    /// <c>expired</c>): <c>{queryUuid, status, totalRows, error, links}</c>, signed like delivery webhooks,
    /// retried with backoff; each attempt is readable at <c>GET .../query/{queryUuid}/callback</c>.
    /// </summary>
    public QueryCallbackRequest? Callback { get; init; }
}

/// <summary>Where to tell that a query ended.</summary>
public sealed class QueryCallbackRequest
{
    /// <summary>
    /// An <c>http</c> or <c>https</c> address (at most 2048 characters). Link-local addresses are never
    /// called; loopback and private ones only when the operator allows them
    /// (<c>Deliveries:AllowPrivateWebhookAddresses</c>).
    /// </summary>
    public string? Url { get; init; }

    /// <summary>
    /// A secret (8 to 256 characters) that signs each call: <c>X-Lightdash-Signature: sha256=&lt;hex&gt;</c>,
    /// the HMAC-SHA256 of <c>{X-Lightdash-Timestamp}.{body}</c>. Stored encrypted; optional.
    /// </summary>
    public string? Secret { get; init; }
}
