namespace Portal.Core;

/// <summary>
/// A job that brings stored state in line with the clock and the rules (expire what is due, send
/// what is owed). Each run reads what is due from the database, so runs may repeat, overlap or be
/// missed (a restart, several nodes) without doing anything twice or losing anything.
/// </summary>
public interface IReconciliation
{
    /// <summary>Does what is due now; returns how many things it changed or sent.</summary>
    Task<int> RunAsync(CancellationToken cancellationToken);
}
