using System.Text.RegularExpressions;

namespace Portal.E2E.Infrastructure;

/// <summary>
/// Every line the Portal process wrote to standard output and standard error, in arrival order,
/// and a way to wait for a line that matches a pattern (such as the one-time setup link).
/// </summary>
public sealed class ServerOutput
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private TaskCompletionSource _changed = NewSignal();
    private int _openStreams = 2;

    /// <summary>A snapshot of the lines so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>True once both output streams have ended, which happens when the process exits.</summary>
    public bool Ended
    {
        get
        {
            lock (_gate)
            {
                return _openStreams == 0;
            }
        }
    }

    /// <summary>
    /// Waits for the first line, from the start of the output, that matches <paramref name="pattern"/>.
    /// Fails with the whole output when the process ends or <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var next = 0;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                for (; next < _lines.Count; next++)
                {
                    if (pattern.Match(_lines[next]) is { Success: true } match)
                    {
                        return match;
                    }
                }

                if (_openStreams == 0)
                {
                    throw new InvalidOperationException(
                        $"The Portal process ended without writing a line matching /{pattern}/.\n{Describe()}");
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"The Portal process wrote no line matching /{pattern}/ within {timeout.TotalSeconds:0} s.\n{Describe()}");
            }
        }
    }

    /// <summary>The output as one block of text, for failure messages.</summary>
    public string Describe()
    {
        var lines = Lines;
        return lines.Count == 0
            ? "--- Portal output: (nothing) ---"
            : $"--- Portal output ---\n{string.Join('\n', lines)}\n--- end of Portal output ---";
    }

    internal void Append(string line)
    {
        lock (_gate)
        {
            _lines.Add(line);
            Pulse();
        }
    }

    internal void StreamEnded()
    {
        lock (_gate)
        {
            _openStreams--;
            Pulse();
        }
    }

    private void Pulse()
    {
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    // Waiters resume on the thread pool, never inline on the process's output reader thread.
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
