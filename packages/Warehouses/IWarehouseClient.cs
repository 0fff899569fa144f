using Lightdash.Net.Common;
namespace Lightdash.Net.Warehouses;

/// <summary>One warehouse connection: runs SQL and streams its rows.</summary>
public interface IWarehouseClient
{
    /// <summary>What this client can do.</summary>
    WarehouseCapabilities Capabilities { get; }

    /// <summary>The SQL dialect of this warehouse.</summary>
    ISqlDialect Dialect { get; }

    /// <summary>
    /// Starts the query and returns a reader positioned before the first row. Cancelling
    /// <paramref name="cancellationToken"/> (here or in <see cref="IWarehouseResultReader.ReadAsync"/>)
    /// cancels the query on the warehouse where <see cref="WarehouseCapabilities.SupportsCancel"/>.
    /// </summary>
    /// <exception cref="WarehouseQueryException">The warehouse refused or failed the query.</exception>
    Task<IWarehouseResultReader> ExecuteAsync(WarehouseQuery query, CancellationToken cancellationToken);
}
