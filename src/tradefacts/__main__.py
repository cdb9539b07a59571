from tradefacts.cli import main

main()
