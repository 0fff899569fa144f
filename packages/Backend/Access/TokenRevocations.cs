using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Access;

/// <summary>Revoked tokens (<see cref="UserStore.TokenRevokedChannel"/>): the token cache forgets them on every instance.</summary>
public sealed class TokenRevocations(TokenCache tokens) : IMetadataNotificationHandler
{
    /// <inheritdoc />
    public string Channel => UserStore.TokenRevokedChannel;

    /// <inheritdoc />
    public void OnNotification(string payload)
    {
        if (Guid.TryParse(payload, out var tokenUuid))
        {
            tokens.Evict(tokenUuid);
        }
    }

    /// <inheritdoc />
    public void OnMissedNotifications() => tokens.Clear();
}
