using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Lightdash.Net.Backend.Platform;

/// <summary>Ready when the metadata database answers.</summary>
public sealed class MetadataDatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("The metadata database answers.");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"The metadata database does not answer: {e.Message}");
        }
    }
}
