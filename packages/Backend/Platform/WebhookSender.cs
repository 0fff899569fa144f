using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Platform;

/// <summary>The outcome of one webhook call.</summary>
/// <param name="Succeeded">True for a 2xx answer.</param>
/// <param name="StatusCode">The HTTP status, or null when no answer came.</param>
/// <param name="Error">What went wrong, or null.</param>
/// <param name="Elapsed">How long it took.</param>
public sealed record WebhookCall(bool Succeeded, int? StatusCode, string? Error, TimeSpan Elapsed);

/// <summary>
/// POSTs a JSON payload (a delivery, a query's completion) to an address a user gave, signed with HMAC-SHA256 of the body when the target
/// has a secret (<c>X-Lightdash-Signature: sha256=&lt;hex&gt;</c>, over <c>{timestamp}.{body}</c> with the
/// timestamp in <c>X-Lightdash-Timestamp</c>, so that a replayed body with a new time fails).
/// Addresses are resolved and checked before the call: link-local ones never, loopback and private ones
/// only when allowed.
/// </summary>
public sealed class WebhookSender(HttpClient http, IOptions<WebhookOptions> options)
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "X-Lightdash-Signature";

    /// <summary>The timestamp header (Unix seconds), part of what is signed.</summary>
    public const string TimestampHeader = "X-Lightdash-Timestamp";

    /// <summary>The id of what is told (a delivery, or the query a completion callback is about).</summary>
    public const string DeliveryHeader = "X-Lightdash-Delivery";

    /// <summary>The signature of <paramref name="body"/> sent at <paramref name="timestamp"/> with <paramref name="secret"/>.</summary>
    public static string Sign(string secret, long timestamp, byte[] body)
    {
        var signed = Encoding.UTF8.GetBytes($"{timestamp}.").Concat(body).ToArray();
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>Sends one try.</summary>
    public async Task<WebhookCall> SendAsync(Uri url, string? secret, Guid deliveryUuid, byte[] body, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (await RefusedAddressAsync(url, cancellationToken) is { } refused)
        {
            return new WebhookCall(false, null, refused, clock.Elapsed);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.WebhookTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        request.Headers.Add(TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(DeliveryHeader, deliveryUuid.ToString());
        if (!string.IsNullOrEmpty(secret))
        {
            request.Headers.Add(SignatureHeader, Sign(secret, timestamp, body));
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new WebhookCall(true, status, null, clock.Elapsed)
                : new WebhookCall(false, status, $"The webhook answered {status}.", clock.Elapsed);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new WebhookCall(false, null, e is OperationCanceledException ? "The webhook did not answer in time." : $"The webhook could not be reached: {e.Message}", clock.Elapsed);
        }
    }

    private async Task<string?> RefusedAddressAsync(Uri url, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(url.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(url.Host, cancellationToken);
        }
        catch (SocketException e)
        {
            return $"The webhook's host {url.Host} could not be resolved: {e.Message}";
        }

        foreach (var address in addresses)
        {
            var ip = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            if (IsLinkLocal(ip))
            {
                return $"The webhook's address {ip} is link-local; it is never called.";
            }

            if (!options.Value.AllowPrivateWebhookAddresses && (IPAddress.IsLoopback(ip) || IsPrivate(ip)))
            {
                return $"The webhook's address {ip} is loopback or private; set Deliveries:AllowPrivateWebhookAddresses to allow it.";
            }
        }

        return null;
    }

    private static bool IsLinkLocal(IPAddress ip) =>
        ip.AddressFamily == AddressFamily.InterNetwork ? ip.GetAddressBytes() is [169, 254, ..] : ip.IsIPv6LinkLocal;

    private static bool IsPrivate(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetwork
        ? ip.GetAddressBytes() switch
        {
            [10, ..] => true,
            [172, var b, ..] when b is >= 16 and <= 31 => true,
            [192, 168, ..] => true,
            [100, var b, ..] when b is >= 64 and <= 127 => true,
            [0, ..] => true,
            _ => false,
        }
        : ip.IsIPv6UniqueLocal || ip.IsIPv6SiteLocal || ip.Equals(IPAddress.IPv6Any);
}
