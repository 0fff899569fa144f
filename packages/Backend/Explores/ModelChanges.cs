using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Explores;

/// <summary>A project's models were deployed or refreshed (<see cref="ModelVersionStore.ChangedChannel"/>): its explores are loaded again on every instance.</summary>
public sealed class ModelChanges(ExploreRegistry explores) : IMetadataNotificationHandler
{
    /// <inheritdoc />
    public string Channel => ModelVersionStore.ChangedChannel;

    /// <inheritdoc />
    public void OnNotification(string payload)
    {
        if (Guid.TryParse(payload, out var projectUuid))
        {
            explores.Invalidate(projectUuid);
        }
    }

    /// <inheritdoc />
    public void OnMissedNotifications() => explores.InvalidateAll();
}
