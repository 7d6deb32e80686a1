namespace Probabilistic.Nn.Autograd;

/// <summary>
/// Whether operations record a graph for differentiation (per thread). Inference, evaluation and teacher
/// forward passes run under <see cref="NoGrad"/>, which records nothing and keeps no intermediate tensors alive.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static bool _disabled;

    /// <summary>True when operations on tensors that require gradients are recorded.</summary>
    public static bool IsEnabled => !_disabled;

    /// <summary>Disables recording until the returned value is disposed: <c>using (GradMode.NoGrad()) { … }</c>.</summary>
    public static Restore NoGrad()
    {
        var previous = _disabled;
        _disabled = true;
        return new Restore(previous);
    }

    /// <summary>Re-enables recording until disposed (inside a <see cref="NoGrad"/> region).</summary>
    public static Restore EnableGrad()
    {
        var previous = _disabled;
        _disabled = false;
        return new Restore(previous);
    }

    /// <summary>Restores the previous mode when disposed.</summary>
    public readonly struct Restore : IDisposable
    {
        private readonly bool _previous;
        internal Restore(bool previous) => _previous = previous;
        /// <inheritdoc/>
        public void Dispose() => _disabled = _previous;
    }
}
