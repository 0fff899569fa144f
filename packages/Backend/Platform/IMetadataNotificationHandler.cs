namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// The owner of one notification channel of the metadata database: the
/// <see cref="MetadataNotificationListener"/> listens to every registered handler's channel on its one
/// connection and hands each notification to its owner.
/// </summary>
public interface IMetadataNotificationHandler
{
    /// <summary>The channel (a constant identifier, as in <c>LISTEN channel</c>).</summary>
    string Channel { get; }

    /// <summary>A notification on the channel; runs on the listener's connection: quick, and never throws.</summary>
    void OnNotification(string payload);

    /// <summary>Notifications may have been missed (listening starts again after a lost connection): forget what they would have changed.</summary>
    void OnMissedNotifications();

    /// <summary>Listening started (true, after <c>LISTEN</c>) or stopped (false, the connection was lost or the host stops).</summary>
    void OnListening(bool listening)
    {
    }

    /// <summary>Every few seconds while listening: compares what this instance holds with the database, so a missed notification delays an effect but never loses it.</summary>
    Task ReconcileAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
