Console.WriteLine("InferBench: being added."); return 0;
