namespace Lightdash.Net.Backend.Deliveries;

/// <summary>A delivery could not make its files (a query failed); the message says why.</summary>
public sealed class DeliveryFailedException(string message) : Exception(message);
