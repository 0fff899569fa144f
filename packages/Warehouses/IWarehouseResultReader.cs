using System.Text.Json;
using Lightdash.Net.Common;

namespace Lightdash.Net.Warehouses;

/// <summary>A forward-only cursor over a running query's rows; holds the warehouse connection until disposed.</summary>
public interface IWarehouseResultReader : IAsyncDisposable
{
    /// <summary>The warehouse's id of the running query (for PostgreSQL the backend process id).</summary>
    string? WarehouseQueryId { get; }

    /// <summary>The result's columns, in order.</summary>
    IReadOnlyList<ResultColumn> Columns { get; }

    /// <summary>Moves to the next row; false after the last.</summary>
    /// <exception cref="WarehouseQueryException">The warehouse failed while streaming.</exception>
    ValueTask<bool> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Writes the current row as one JSON object keyed by column reference, keeping each value's type.</summary>
    void WriteRow(Utf8JsonWriter writer);
}
