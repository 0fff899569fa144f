using System.ComponentModel.DataAnnotations;

namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// How the backend calls the addresses users give it (delivery webhooks and query completion callbacks).
/// Bound from the <c>Deliveries</c> section, where these settings have always been.
/// </summary>
public sealed class WebhookOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Deliveries";

    /// <summary>How many times a webhook is tried before the target counts as failed.</summary>
    [Range(1, 20)]
    public int WebhookAttempts { get; set; } = 4;

    /// <summary>The wait before the second try; each further try waits twice as long.</summary>
    public TimeSpan WebhookBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one webhook call may take.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// True to let webhooks reach loopback and private addresses (a local receiver, development); false by
    /// default so that a scheduler cannot probe the backend's own network. Link-local addresses (cloud
    /// metadata) are refused either way.
    /// </summary>
    public bool AllowPrivateWebhookAddresses { get; set; }

    /// <summary>The wait before the try after <paramref name="attempt"/> (from 1): <see cref="WebhookBackoff"/>, doubled at each further try.</summary>
    public TimeSpan DelayAfter(int attempt) => WebhookBackoff * Math.Pow(2, attempt - 1);
}
