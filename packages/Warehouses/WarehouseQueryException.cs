namespace Lightdash.Net.Warehouses;

/// <summary>The warehouse refused or failed a query; the message is the warehouse's own, safe to show the user.</summary>
public sealed class WarehouseQueryException : Exception
{
    /// <summary>Creates the exception with the warehouse's message.</summary>
    public WarehouseQueryException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
