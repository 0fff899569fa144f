using Dapper;
using Npgsql;

namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// Lets one instance at a time run a periodic sweep (lease reaping, expiry, clean-ups); a run that finds
/// another one under way is skipped, as the next one comes soon. The lock is a transaction-scoped
/// advisory lock on a connection of the run's own: it goes with the run, and with the connection when
/// an instance dies mid-run. (Hangfire's <c>DisableConcurrentExecution</c> keeps its lock as a row that
/// a killed instance leaves behind for the storage's lock timeout, ten minutes by default: no lease was
/// reaped meanwhile.)
/// </summary>
public sealed class ExclusiveRuns(NpgsqlDataSource dataSource)
{
    private const string TryLockSql = "SELECT pg_try_advisory_xact_lock(hashtext('lightdash-net exclusive run'), hashtext(@name))";

    /// <summary>Starts the run named <paramref name="name"/> unless one is under way on any instance; dispose the result when it ends. Null: skip this run.</summary>
    public async Task<IAsyncDisposable?> TryStartAsync(string name, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(TryLockSql, new { name }, transaction, cancellationToken: cancellationToken)))
            {
                return new Run(connection, transaction);
            }

            await transaction.DisposeAsync();
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    // Ending the transaction (a rollback: nothing was written in it) releases the lock.
    private sealed class Run(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
