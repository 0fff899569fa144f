using Npgsql;

namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// The one listener of the metadata database's notifications, handing each channel to its owner (an
/// <see cref="IMetadataNotificationHandler"/> each capability registers: query status changes, token
/// revocations, model deploys). After a reconnect every owner forgets what a missed notification would
/// have changed, and every few seconds each compares what it holds with the database.
/// </summary>
public sealed class MetadataNotificationListener(
    NpgsqlDataSource dataSource,
    IEnumerable<IMetadataNotificationHandler> handlers,
    ILogger<MetadataNotificationListener> logger) : BackgroundService
{
    private static readonly TimeSpan ReconcileInterval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, IMetadataNotificationHandler> _byChannel = handlers.ToDictionary(h => h.Channel, StringComparer.Ordinal);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_byChannel.Count == 0)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                SetListening(false);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException)
            {
                logger.LogWarning(e, "Metadata notification listener lost its connection; reconnecting");
                SetListening(false);
                ForgetMissed();
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
        connection.Notification += (_, e) =>
        {
            if (_byChannel.TryGetValue(e.Channel, out var handler))
            {
                handler.OnNotification(e.Payload);
            }
        };
        var listen = string.Join(" ", _byChannel.Keys.Select(channel => $"LISTEN {channel};"));
        await using (var command = new NpgsqlCommand(listen, connection))
        {
            await command.ExecuteNonQueryAsync(stoppingToken);
        }

        ForgetMissed(); // announcements made while not listening are not replayed
        SetListening(true);
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var handler in _byChannel.Values)
            {
                await handler.ReconcileAsync(stoppingToken);
            }

            await connection.WaitAsync(ReconcileInterval, stoppingToken);
        }
    }

    private void SetListening(bool listening)
    {
        foreach (var handler in _byChannel.Values)
        {
            handler.OnListening(listening);
        }
    }

    private void ForgetMissed()
    {
        foreach (var handler in _byChannel.Values)
        {
            handler.OnMissedNotifications();
        }
    }
}
