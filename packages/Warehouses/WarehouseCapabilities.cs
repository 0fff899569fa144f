namespace Lightdash.Net.Warehouses;

/// <summary>What a warehouse client can do; services ask this instead of checking types.</summary>
/// <param name="SupportsCancel">Cancelling the token stops the query on the warehouse itself.</param>
/// <param name="SupportsWindowedRefetch">A window of rows (limit and offset) can be fetched again.</param>
public sealed record WarehouseCapabilities(bool SupportsCancel, bool SupportsWindowedRefetch);
