Console.WriteLine("Bench: benchmarks are being added.");
return 0;
