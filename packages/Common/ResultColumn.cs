namespace Lightdash.Net.Common;

/// <summary>One column of a query result.</summary>
/// <param name="Reference">The field id: the column's name in the result, the key of each row object.</param>
/// <param name="Type">How the column's values are shown.</param>
/// <param name="WarehouseType">The warehouse's own name of the type (for example <c>numeric</c>).</param>
public sealed record ResultColumn(string Reference, DimensionType Type, string WarehouseType);
