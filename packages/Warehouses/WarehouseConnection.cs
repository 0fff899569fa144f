namespace Lightdash.Net.Warehouses;

/// <summary>Where a project's warehouse is and how to reach it. Holds credentials: never log or return it.</summary>
/// <param name="Type">The kind of warehouse.</param>
/// <param name="ConnectionString">The driver's connection string.</param>
public sealed record WarehouseConnection(WarehouseType Type, string ConnectionString)
{
    /// <summary>Keeps credentials out of logs and exception messages.</summary>
    public override string ToString() => $"{Type} warehouse";
}
